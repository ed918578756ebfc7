"""Hostile routes whose losses the crawl must name: an empty 200 (more to come: a reset mid-body,
an oversized response header, a broken brotli body)."""
from __future__ import annotations

import socket

from tests.hostile_server import ARTICLE, HostileServer, page

CLOSE = [(b"Connection", b"close")]
PATHS = ("empty", "blank", "article")
HOME = ("<html><body>" + "".join('<a href="/%s">%s</a> ' % (p, p) for p in PATHS) + "</body></html>").encode()


def home(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(HOME, extra=CLOSE))


def empty(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """200 OK, text/html, Content-Length: 0."""
    conn.sendall(page(b"", extra=CLOSE))


def blank(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """200 OK, a body of white space only."""
    conn.sendall(page(b" \r\n\t\n", extra=CLOSE))


def article(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(ARTICLE, extra=CLOSE))


ROUTES = {"/": home, "/empty": empty, "/blank": blank, "/article": article}
