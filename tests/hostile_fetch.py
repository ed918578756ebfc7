"""Hostile routes whose fetch failures the crawl must name: a connection reset in the middle of a
body (with and without a length) or closed before its end, a response header too large for the
client, a br body that does not decode (and one that does, which pywb's brotlipy could not read)."""
from __future__ import annotations

import socket
import struct

from tests.hostile_server import ARTICLE, HostileServer, head, page

CLOSE = [(b"Connection", b"close")]
PATHS = ("reset-length", "reset-chunked", "cut-length", "big-header", "bad-br", "good-br")
HOME = ("<html><body>" + "".join('<a href="/%s">%s</a> ' % (p, p) for p in PATHS) + "</body></html>").encode()
ANNOUNCED = 10_000  # /reset-length's Content-Length
SENT = 3_000  # the body bytes the reset and cut routes send before they hang up
HEADER_SIZE = 100_000  # /big-header's one header line


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0), not a FIN: the client reads 'connection reset by peer'."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def home(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(HOME, extra=CLOSE))


def reset_length(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """Content-Length 10000, 3000 body bytes, then a reset."""
    conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", str(ANNOUNCED).encode())])
                 + ARTICLE[:SENT].ljust(SENT, b" "))
    reset(conn)


def reset_chunked(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """A chunked body: one chunk of 3000 bytes, then a reset."""
    conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Transfer-Encoding", b"chunked")])
                 + b"%x\r\n" % SENT + ARTICLE[:SENT].ljust(SENT, b" ") + b"\r\n")
    reset(conn)


def cut_length(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """Content-Length 10000, 3000 body bytes, then an orderly close (FIN)."""
    conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", str(ANNOUNCED).encode())])
                 + ARTICLE[:SENT].ljust(SENT, b" "))


def big_header(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """A 100 KB header line before a good body."""
    conn.sendall(page(ARTICLE, extra=CLOSE + [(b"X-Padding", b"p" * HEADER_SIZE)]))


def bad_br(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """Content-Encoding: br over bytes that are no brotli stream."""
    conn.sendall(page(b"\xff\xfe not brotli at all " * 20, extra=CLOSE + [(b"Content-Encoding", b"br")]))


def good_br(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    """An article in a good br body."""
    conn.sendall(page(brotli_compress(ARTICLE), extra=CLOSE + [(b"Content-Encoding", b"br")]))


def brotli_compress(data: bytes) -> bytes:
    """Google's brotli encoder (its compress() kept its name where pywb's brotlipy took the module's)."""
    import brotli

    return bytes(brotli.compress(data))


ROUTES = {"/": home, "/reset-length": reset_length, "/reset-chunked": reset_chunked, "/cut-length": cut_length,
          "/big-header": big_header, "/bad-br": bad_br, "/good-br": good_br}
