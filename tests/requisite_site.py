"""A small news site with page requisites on two hosts, for the requisites tests.

One HostileServer answers as two hosts: the site at 127.0.0.1 and a "CDN" at localhost (the same
address, another host name: another download slot, another robots.txt, out of the crawl's scope).
Every static answer has an ETag and Last-Modified, and answers 304 to a request that sends them.
"""
from __future__ import annotations

import re
import socket
from collections.abc import Callable

from tests.hostile_server import article, head

ETAG = b'"v1"'
LAST_MODIFIED = b"Mon, 02 Mar 2026 10:00:00 GMT"
ARTICLES = ("/a1", "/a2", "/a3")
BIG_IMAGE_SIZE = 300_000


def _binary(seed: int, size: int) -> bytes:
    return bytes((i * 7 + seed * 13) % 251 for i in range(size))


def _host(request: bytes) -> str:
    found = re.search(rb"\r\nHost: *([^\r\n:]+)", request, re.IGNORECASE)
    return found.group(1).decode("latin-1").lower() if found else ""


class RequisiteSite:
    """The routes, built once the server's port is known: `RequisiteSite(server).install()`."""

    def __init__(self, server: object) -> None:
        self.server = server
        url = getattr(server, "url")  # noqa: B009 (a HostileServer; typed loosely to stay importable)
        self.site = url.rstrip("/")
        self.cdn = self.site.replace("127.0.0.1", "localhost")

    def head_requisites(self) -> str:
        return (
            '<link rel="stylesheet" href="/static/site.css">'
            '<link rel="icon" href="/favicon.ico">'
            '<script src="/static/app.js"></script>'
            '<meta property="og:image" content="%s/cdn/logo.png">' % self.cdn)

    def body_requisites(self, name: str) -> str:
        return (
            '<img src="%(cdn)s/cdn/logo.png" alt="logo">'
            '<img src="/img/%(name)s-800.jpg" srcset="/img/%(name)s-400.jpg 400w, /img/%(name)s-800.jpg 800w">'
            '<video src="/media/clip.mp4" poster="/static/poster.jpg"></video>'
            '<audio src="/media/sound.mp3"></audio>'
            '<img src="%(cdn)s/cdn/private/tracker.png">'
            '<a href="/static/linked.css">not a requisite</a>' % {"cdn": self.cdn, "name": name})

    def page(self, name: str, rotate: int, extra: str = "") -> bytes:
        html = article("Harbour story %s" % name, rotate).decode()
        html = html.replace("</head>", self.head_requisites() + "</head>", 1)
        html = html.replace("</article>", "</article>" + self.body_requisites(name) + extra, 1)
        return html.encode()

    def home(self) -> bytes:
        links = "".join('<a href="%s">story</a> ' % a for a in ARTICLES)
        return ("<html><head><title>Harbour news</title>%s</head><body>%s%s</body></html>" % (
            self.head_requisites(), links, '<img src="/img/big.jpg">')).encode()

    def statics(self) -> dict[str, tuple[bytes, bytes]]:
        """path -> (content type, body) of what the site and the CDN serve."""
        return {
            "/static/site.css": (b"text/css", (
                '@import url("%s/cdn/fonts.css");\n'
                "body { background: url(/static/bg.png) }\n" % self.cdn).encode()),
            "/cdn/fonts.css": (b"text/css", b"@font-face { font-family: Sea; src: url(/cdn/sea.woff2) }\n"),
            "/cdn/sea.woff2": (b"font/woff2", _binary(1, 3000)),
            "/cdn/logo.png": (b"image/png", _binary(2, 2000)),
            "/cdn/private/tracker.png": (b"image/png", _binary(3, 100)),
            "/static/bg.png": (b"image/png", _binary(4, 1500)),
            "/static/app.js": (b"application/javascript", b"document.body.className = 'js';\n"),
            "/static/poster.jpg": (b"image/jpeg", _binary(5, 1200)),
            "/static/linked.css": (b"text/css", b"p { color: red }\n"),
            "/favicon.ico": (b"image/x-icon", _binary(6, 300)),
            "/img/big.jpg": (b"image/jpeg", _binary(7, BIG_IMAGE_SIZE)),
            "/media/clip.mp4": (b"video/mp4", _binary(8, 5000)),
            "/media/sound.mp3": (b"audio/mpeg", _binary(9, 5000)),
            **{"/img/%s-%d.jpg" % (a.strip("/"), w): (b"image/jpeg", _binary(10 + i * 2 + w // 400, 800 + w))
               for i, a in enumerate(ARTICLES) for w in (400, 800)},
        }

    def routes(self) -> dict[str, Callable[..., None]]:
        pages = {"/": self.home(), **{a: self.page(a.strip("/"), i + 1) for i, a in enumerate(ARTICLES)}}
        routes: dict[str, Callable[..., None]] = {}
        for path, body in pages.items():
            routes[path] = _sender(b"text/html; charset=utf-8", body, validators=False)
        for path, (content_type, body) in self.statics().items():
            routes[path] = _sender(content_type, body)
        routes["/robots.txt"] = self._robots
        return routes

    def _robots(self, server: object, conn: socket.socket, request: bytes) -> None:
        # the CDN keeps its private folder from crawlers; the site allows all
        rules = b"User-agent: *\nDisallow: /cdn/private/\n" if _host(request) == "localhost" else b"User-agent: *\n"
        conn.sendall(_response(b"200 OK", b"text/plain", rules, []))

    def install(self) -> None:
        getattr(self.server, "routes").update(self.routes())  # noqa: B009


def _response(status: bytes, content_type: bytes, body: bytes, extra: list[tuple[bytes, bytes]]) -> bytes:
    headers = [(b"Content-Type", content_type), (b"Content-Length", str(len(body)).encode()),
               (b"Connection", b"close")] + extra
    return head(status.decode(), headers) + body


def _sender(content_type: bytes, body: bytes, validators: bool = True) -> Callable[..., None]:
    extra = [(b"ETag", ETAG), (b"Last-Modified", LAST_MODIFIED)] if validators else []

    def send(server: object, conn: socket.socket, request: bytes) -> None:
        if validators and re.search(rb"\r\nIf-None-Match: *" + re.escape(ETAG), request, re.IGNORECASE):
            conn.sendall(head("304 Not Modified", extra + [(b"Connection", b"close")]))
            return
        conn.sendall(_response(b"200 OK", content_type, body, extra))

    return send
