"""A hostile site of endless URL families, bad links, huge URLs and redirects that go astray.

`TrapServer` is the hostile server with routes matched by path prefix (the endless families
have no fixed paths): each trap page links to the next member of its family, for ever.
"""
from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable

from tests.hostile_server import ARTICLE, HostileServer, article, head, page

CLOSE = [(b"Connection", b"close")]
LONG_URL = "/long?x=" + "a" * 10_000  # a 10 KB link, past Scrapy's URLLENGTH_LIMIT (2083)
CHAIN_HOPS = 25  # past REDIRECT_MAX_TIMES (20)
SHORT_CHAIN_HOPS = 5

# the families: the first member of each, linked from the home page
TRAPS = {
    "growing_query": "/grow?q=a",
    "growing_path (digits)": "/x/1",
    "growing_path (longer names)": "/a/aa",
    "growing_path (random names)": "/r/start",
    "pagination": "/p/1",
}
BAD_LINKS = ("http://[/", "//[x/", "http://./", "http://exa mple.com/", "http://a..b/", "http://ex%20ample.com/")

PrefixRoute = Callable[["TrapServer", socket.socket, str], None]


def _links(*hrefs: str) -> bytes:
    return ("<html><body>%s</body></html>" % "".join('<a href="%s">link</a> ' % h for h in hrefs)).encode()


def _home(server: TrapServer, conn: socket.socket, path: str) -> None:
    # a bad link first: what follows it on the page must still be followed
    hrefs = [*BAD_LINKS, "/after-bad-links", *TRAPS.values(), LONG_URL, "/base-bad"]
    conn.sendall(page(_links(*hrefs), extra=CLOSE))


def _article(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(page(article("Tide gauges replaced " + path, len(path) % 8), extra=CLOSE))


def _grow(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(page(_links(path + "a"), extra=CLOSE))  # /grow?q=a -> /grow?q=aa -> ...


def _digits(server: TrapServer, conn: socket.socket, path: str) -> None:
    depth = path.count("/")
    conn.sendall(page(_links("%s/%d" % (path, depth)), extra=CLOSE))  # /x/1 -> /x/1/2 -> ...


def _names(server: TrapServer, conn: socket.socket, path: str) -> None:
    last = path.rsplit("/", 1)[1]
    conn.sendall(page(_links("%s/%s" % (path, last + "a")), extra=CLOSE))  # /a/aa -> /a/aa/aaa -> ...


def _random(server: TrapServer, conn: socket.socket, path: str) -> None:
    token = "%08x" % server.rng.getrandbits(32)  # a new unique segment every hop, relative link
    conn.sendall(page(_links(path.rsplit("/", 1)[1] + "/" + token), extra=CLOSE))


def _pages(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(page(_links("/p/%d" % (int(path.rsplit("/", 1)[1]) + 1)), extra=CLOSE))


def _base_bad(server: TrapServer, conn: socket.socket, path: str) -> None:
    body = b'<html><head><base href="http://[/"></head><body><a href="after-bad-base">x</a></body></html>'
    conn.sendall(page(body, extra=CLOSE))


def _redirect(location: str) -> bytes:
    return head("302 Found", [(b"Location", location.encode("latin-1")), (b"Content-Length", b"0")] + CLOSE)


def _chain(server: TrapServer, conn: socket.socket, path: str) -> None:
    name, hop = path.rsplit("/", 1)
    last = CHAIN_HOPS if name == "/chain" else SHORT_CHAIN_HOPS
    n = int(hop)
    conn.sendall(_redirect("%s/%d" % (name, n + 1)) if n < last else page(ARTICLE, extra=CLOSE))


def _away(server: TrapServer, conn: socket.socket, path: str) -> None:
    # the same server under another host name: out of a --scope host crawl of 127.0.0.1
    conn.sendall(_redirect("http://localhost:%d/elsewhere" % server.port))


def _to_denied(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(_redirect("/denied/page"))


def _to_article(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(_redirect("/story"))


REDIRECT_HOME = _links("/go-away", "/go-denied", "/go-home", "/chain/0", "/short/0")

PREFIXES: list[tuple[str, PrefixRoute]] = [
    ("/grow?", _grow), ("/x/", _digits), ("/a/", _names), ("/r/", _random), ("/p/", _pages),
    ("/base-bad", _base_bad), ("/chain/", _chain), ("/short/", _chain), ("/go-away", _away),
    ("/go-denied", _to_denied), ("/go-home", _to_article),
]


class TrapServer(HostileServer):
    """The hostile server, with the endless families above served by path prefix."""

    def __init__(self, home: Callable[[TrapServer, socket.socket, str], None] = _home) -> None:
        super().__init__()
        self.home = home
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))
        self.rng = random.Random(13)
        self._rng_lock = threading.Lock()

    def _respond(self, conn: socket.socket, path: str) -> None:
        if path == "/":
            self.home(self, conn, path)
            return
        for prefix, route in PREFIXES:
            if path.startswith(prefix):
                with self._rng_lock:
                    route(self, conn, path)
                return
        if path in ("/after-bad-links", "/after-bad-base", "/story", "/elsewhere") or path.startswith("/denied/"):
            _article(self, conn, path)
            return
        super()._respond(conn, path)

    def paths(self, host: str | None = None) -> list[str]:
        """The paths requested (of requests to `host`, a Host header value, if given), in order."""
        found = []
        with self._requests_lock:
            requests = list(self.requests)
        for request in requests:
            line, _, rest = request.partition(b"\r\n")
            if host is not None and ("host: " + host).encode() not in rest.lower():
                continue
            found.append(line.split(b" ")[1].decode("latin-1"))
        return found


def redirect_home(server: TrapServer, conn: socket.socket, path: str) -> None:
    conn.sendall(page(REDIRECT_HOME, extra=CLOSE))
