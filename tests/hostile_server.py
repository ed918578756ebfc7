"""A raw-socket HTTP server on 127.0.0.1 that misbehaves on purpose, one way per path."""
from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Callable, Mapping

import brotli

SENTENCES = (
    "the harbour master said on Monday that ferries would run again from Tuesday morning",
    "engineers checked the damaged pier and the breakwater for cracks left by the surge",
    "the storm flooded the waterfront last week and closed two fish markets",
    "shop owners along the quay are counting the cost of three lost trading days",
    "the council promised a review of the sea wall before the winter tides",
    "insurers sent assessors to the marina, where a dozen boats broke their moorings",
    "schools near the estuary reopened after the road to the old town was cleared",
    "the coastguard thanked volunteers who helped move families from low houses",
)


def article(title: str, rotate: int) -> bytes:
    """An article page whose paragraphs differ from other rotations (no near-duplicates)."""
    order = SENTENCES[rotate:] + SENTENCES[:rotate]
    paragraphs = "".join(
        "<p>%s, and %s; %s.</p>" % (order[i].capitalize(), order[(i + 3) % 8], order[(i * 5 + rotate) % 8])
        for i in range(6))
    return ("<html lang='en'><head><title>%s</title><meta property='og:type' content='article'>"
            "</head><body><article><h1>%s</h1>%s</article></body></html>" % (title, title, paragraphs)).encode()


ARTICLE = article("Harbour reopens after storm", 0)


def head(status: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = [b"HTTP/1.1 " + status.encode("latin-1")] + [k + b": " + v for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def page(body: bytes, status: str = "200 OK", extra: list[tuple[bytes, bytes]] | None = None,
          content_type: bytes = b"text/html; charset=utf-8") -> bytes:
    headers = [(b"Content-Type", content_type), (b"Content-Length", str(len(body)).encode())]
    return head(status, headers + (extra or [])) + body


def bigpage(size: int) -> bytes:
    """An HTML page of exactly `size` bytes whose every prefix is distinct (numbered lines)."""
    lines = b"".join(b"<p>line %07d of a page too long to keep</p>\n" % i for i in range(size // 40 + 1))
    return (b"<html><body>\n" + lines)[:size]


BIG = bigpage(200_000)  # past the truncation tests' DOWNLOAD_MAXSIZE
BIG_GZIP = gzip.compress(b"".join(b"%032x\n" % (i * 2654435761 % 2**128) for i in range(12_000)))
STALL_PART = BIG[:3000]  # what /stall sends of its 10000 announced bytes before it stalls

TRUNCATION_PATHS = ("big-length", "big-chunked", "big-close", "big-gzip", "stall", "article")
TRUNCATION_HOME = ("<html><body>" + "".join(
    '<a href="/%s">%s</a> ' % (p, p) for p in TRUNCATION_PATHS) + "</body></html>").encode()

HOME = ("<html><body>" + "".join(
    '<a href="/%s">%s</a> ' % (p, p) for p in (
        "slow", "drop", "short", "huge", "binary", "badcharset", "latin1-header", "deflate", "br",
        "error", "article", "chunked"))
    + "</body></html>").encode()


# A behaviour of its own for a path: (server, connection, the raw request head) -> None. Test
# modules keep theirs beside their tests and hand them in: HostileServer(routes={...}).
Route = Callable[["HostileServer", socket.socket, bytes], None]


class HostileServer:
    """Serves one request per connection (Connection: close) in a thread per connection."""

    def __init__(self, routes: Mapping[str, Route] | None = None) -> None:
        self.routes = dict(routes or {})
        self.requests: list[bytes] = []  # every request head received, in order
        self._requests_lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self.url = "http://127.0.0.1:%d/" % self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            with self._requests_lock:
                self.requests.append(request)
            path = request.split(b" ", 2)[1].decode("latin-1")
            try:
                route = self.routes.get(path)
                if route is not None:
                    route(self, conn, request)
                else:
                    self._respond(conn, path)
            except OSError:
                pass  # the client gave up first: that is the point of some of these

    def _respond(self, conn: socket.socket, path: str) -> None:
        close = [(b"Connection", b"close")]
        if path == "/":
            conn.sendall(page(HOME, extra=close))
        elif path == "/robots.txt":
            conn.sendall(page(b"User-agent: *\nAllow: /\n", content_type=b"text/plain", extra=close))
        elif path == "/article":
            conn.sendall(page(ARTICLE, extra=close))
        elif path == "/slow":  # headers, then nothing until the client's timeout
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", b"1000")]))
            self._stop.wait(20)
        elif path == "/drop":  # close without a word
            return
        elif path == "/short":  # promises 5000 bytes, sends 100, hangs up
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", b"5000")])
                         + b"<html><body>" + b"x" * 88)
        elif path == "/huge":  # announces more than DOWNLOAD_MAXSIZE
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"),
                                          (b"Content-Length", b"50000000")]) + b"<html>" * 100)
            # then hangs up (returning closes the connection): at once, not after a sleep that
            # had to come before the client's DOWNLOAD_TIMEOUT on a loaded machine
        elif path == "/truncation/":
            conn.sendall(page(TRUNCATION_HOME, extra=close))
        elif path == "/big-length":  # Content-Length announces the whole (too big) body
            conn.sendall(page(BIG, extra=close))
        elif path == "/big-chunked":  # no Content-Length: the body grows past the limit
            self._send_chunked(conn, [(b"Content-Type", b"text/html")], BIG)
        elif path == "/big-close":  # no length at all: the body ends when the server hangs up
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html")] + close) + BIG)
        elif path == "/big-gzip":  # a gzip body past the limit, chunked
            self._send_chunked(conn, [(b"Content-Type", b"text/plain"), (b"Content-Encoding", b"gzip")],
                               BIG_GZIP)
        elif path == "/stall":  # the head and part of the body, then nothing until the timeout
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", b"10000")])
                         + STALL_PART)
            self._stop.wait(30)
        elif path == "/big-stall":  # announces too much, sends a little, then nothing
            conn.sendall(head("200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", b"200000")])
                         + STALL_PART)
            self._stop.wait(30)
        elif path == "/binary":
            conn.sendall(page(bytes(range(256)) * 40, extra=close))
        elif path == "/badcharset":
            conn.sendall(page(article("Markets count the cost", 5), extra=close,
                               content_type=b"text/html; charset=x-no-such-charset"))
        elif path == "/latin1-header":
            conn.sendall(page(b"<html><body>ok</body></html>", status="200 Okay Then", extra=close + [
                (b"X-City", "Zürich".encode("latin-1")), (b"Set-Cookie", b"a=1; Path=/"),
                (b"set-cookie", b"b=2; Path=/"), (b"X-Empty", b"")]))
        elif path == "/deflate":
            conn.sendall(page(zlib.compress(article("Ferries run again", 3)), extra=close + [
                (b"Content-Encoding", b"deflate")]))
        elif path == "/br":
            conn.sendall(page(brotli.compress(article("Sea wall review promised", 6)), extra=close + [
                (b"Content-Encoding", b"br")]))
        elif path == "/error":
            conn.sendall(page(b"<html><body>boom</body></html>", status="500 Internal Server Error",
                               extra=close))
        elif path == "/chunked":
            body = gzip.compress(b"<html><body>" + b"chunk " * 500 + b"</body></html>")
            self._send_chunked(conn, [(b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")], body,
                               size=300)
        else:
            conn.sendall(page(b"<html><body>not here</body></html>", status="404 Not Found", extra=close))

    def wait(self, seconds: float) -> None:
        """Hold a response until the server stops (or `seconds` pass): a route that stalls."""
        self._stop.wait(seconds)

    def requested(self, path: str) -> int:
        """How many requests for `path` came (request line match)."""
        needle = b" " + path.encode("latin-1") + b" "
        with self._requests_lock:
            return sum(1 for r in self.requests if needle in r.split(b"\r\n", 1)[0])

    @staticmethod
    def _send_chunked(conn: socket.socket, headers: list[tuple[bytes, bytes]], body: bytes,
                      size: int = 8192) -> None:
        conn.sendall(head("200 OK", headers + [(b"Transfer-Encoding", b"chunked"), (b"Connection", b"close")]))
        for start in range(0, len(body), size):
            piece = body[start:start + size]
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        conn.sendall(b"0\r\n\r\n")
