"""A small site on 127.0.0.1 with every way of finding pages, and the traps that come with it.

`/` links to a section, articles (one with tracking parameters), a page on another site
(`localhost`: the same server under another name, with a robots.txt of its own), a calendar, an
endless list, session-id pages, a path that repeats itself, a chain of pages six hops long and
a `/private/` page; it names an Atom feed by `<link rel=alternate>`, the section names an RSS
feed the same way. robots.txt names a gzipped sitemap index (a gzipped sitemap, a Google News
sitemap, an old archive sitemap) and a sitemap on the other host (as on a CDN). `/feed` is a
JSON Feed that nothing links to (found by probing); `/sitemap.xml` and `/sitemap_news.xml` are
404s. Feeds and sitemaps list one recent and one old entry each (`new-1`, `old-1`), RSS also an
undated one and one with only a permalink guid.
"""
from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEEP_CHAIN = 6  # /deep/1 -> ... -> /deep/6


def page(title: str, links: Iterable[str] = (), head: str = "") -> bytes:
    anchors = "".join('<li><a href="%s">%s</a></li>' % (href, href) for href in links)
    return ("<!doctype html><html><head><title>%s</title>%s</head><body><h1>%s</h1><ul>%s</ul>"
            "</body></html>" % (title, head, title, anchors)).encode()


class DiscoverySite:
    """Serves the site in a thread; `url` is its base ("http://127.0.0.1:PORT/")."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self._session = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body, extra = site.route(self.path, self.headers.get("Host", ""))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for name, value in extra:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/" % self.port
        self.base = self.url.rstrip("/")
        self.other = "http://localhost:%d" % self.port  # the same server under another site's name
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> DiscoverySite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)

    # -- routes ------------------------------------------------------------------------
    def route(self, target: str, host: str = "") -> tuple[int, str, bytes, list[tuple[str, str]]]:
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        html = "text/html; charset=utf-8"
        if path == "/robots.txt" and host.startswith("localhost"):  # the other site's own sitemap
            text = "User-agent: *\nAllow: /\n\nSitemap: %s/cdn/other-sitemap.xml\n" % self.other
            return 200, "text/plain", text.encode(), []
        if path == "/robots.txt":
            text = ("User-agent: *\nAllow: /\n\nSitemap: %s/sitemap-index.xml.gz\n"
                    "Sitemap: %s/cdn/sitemap.xml\n" % (self.base, self.other))
            return 200, "text/plain", text.encode(), []
        if path == "/cdn/sitemap.xml":  # on another host, named by our robots.txt
            body = self.urlset([("/sm/cdn-1", self.ago(hours=1).isoformat())])
            return 200, "application/xml", body.replace(b"</urlset>", (
                "<url><loc>%s/cdn/offsite-article</loc></url></urlset>" % self.other).encode()), []
        if path == "/cdn/other-sitemap.xml":
            return 200, "application/xml", self.urlset([("/sm/from-other-robots", "2026-01-01")]), []
        if path == "/":
            links = ["/section/", "/a/1?utm_source=home&utm_medium=web&fbclid=abc", "/a/2",
                     "http://localhost:%d/offsite/" % self.port, "/calendar/2026/03/", "/list?page=1",
                     "/s/?sid=0", "/loop/x/", "/deep/1", "/private/secret"]
            head = '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
            return 200, html, page("Home", links, head), []
        if path == "/section/":
            head = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">'
            return 200, html, page("Section", ["/a/3"], head), []
        if path == "/atom.xml":
            return 200, "application/atom+xml", self.atom(), []
        if path == "/rss.xml":
            return 200, "application/rss+xml; charset=utf-8", self.rss(), []
        if path == "/feed":
            return 200, "application/feed+json", self.json_feed(), []
        if path == "/sitemap-index.xml.gz":  # a .gz file, not a Content-Encoding
            return 200, "application/x-gzip", gzip.compress(self.sitemap_index(), mtime=0), []
        if path == "/sitemaps/pages.xml.gz":
            return 200, "application/x-gzip", gzip.compress(self.sitemap(), mtime=0), []
        if path == "/sitemaps/archive-2020.xml.gz":
            body = self.urlset([("/sm/archive-1", "2020-01-31")])
            return 200, "application/x-gzip", gzip.compress(body, mtime=0), []
        if path == "/sitemaps/news.xml":  # gzipped on the wire this time
            return (200, "application/xml", gzip.compress(self.news_sitemap(), mtime=0),
                    [("Content-Encoding", "gzip")])
        if path.startswith("/calendar/"):
            year, month = (int(p) for p in path.strip("/").split("/")[1:3])
            nxt = (year + month // 12, month % 12 + 1)
            prev = (year - (month == 1), (month - 2) % 12 + 1)
            links = ["/calendar/%d/%02d/" % nxt, "/calendar/%d/%02d/" % prev]
            return 200, html, page("Calendar %d-%02d" % (year, month), links), []
        if path == "/list":
            n = int(query.get("page", ["1"])[0])
            return 200, html, page("List page %d" % n, ["/list?page=%d" % (n + 1)]), []
        if path == "/s/":
            with self._lock:
                self._session += 1
                sid = "%08x" % (self._session * 2654435761 % 2**32)
            return 200, html, page("Session page", ["/s/?sid=" + sid]), []
        if path.startswith("/loop/"):
            return 200, html, page("Loop", ["x/"]), []
        if path.startswith("/deep/"):
            n = int(path.rsplit("/", 1)[1])
            links = ["/deep/%d" % (n + 1)] if n < DEEP_CHAIN else []
            return 200, html, page("Deep %d" % n, links), []
        if path in ("/sitemap.xml", "/sitemap_news.xml") or path.startswith("/offsite"):
            return 404, html, page("Not found"), []
        return 200, html, page("Article " + path), []

    # -- documents ---------------------------------------------------------------------
    def atom(self) -> bytes:
        entries = "".join(
            "<entry><title>%s</title><id>tag:site,2026:%s</id>"
            '<link rel="alternate" type="text/html" href="%s%s"/>'
            '<link rel="enclosure" href="%s/media/%s.mp3"/>'
            "<published>%s</published><updated>%s</updated></entry>" % (
                slug, slug, self.base, path, self.base, slug, published.isoformat(), updated.isoformat())
            for slug, path, published, updated in (
                ("new", "/atom/new-1", self.ago(hours=30), self.ago(hours=1)),  # updated: counts
                ("old", "/atom/old-1", self.ago(days=10), self.ago(days=10))))
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                "<title>Site</title><id>tag:site,2026:feed</id><updated>%s</updated>%s</feed>"
                % (self.now.isoformat(), entries)).encode()

    def rss(self) -> bytes:
        items = "".join(
            "<item><title>%s</title><link>%s%s</link>%s</item>" % (
                path, self.base, path, "<pubDate>%s</pubDate>" % format_datetime(when) if when else "")
            for path, when in (("/rss/new-1", self.ago(hours=2)), ("/rss/old-1", self.ago(days=30)),
                               ("/rss/undated-1", None)))
        items += "<item><title>guid only</title><guid>%s/rss/guid-1</guid></item>" % self.base
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Site</title>'
                "<link>%s/</link>%s</channel></rss>" % (self.base, items)).encode()

    def json_feed(self) -> bytes:
        return json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "Site", "home_page_url": self.url,
            "items": [
                {"id": "1", "url": self.base + "/json/new-1",
                 "date_published": self.ago(hours=3).isoformat()},
                {"id": "2", "url": self.base + "/json/old-1",
                 "date_published": self.ago(days=5).isoformat()},
            ],
        }).encode()

    def sitemap_index(self) -> bytes:
        children = [("/sitemaps/pages.xml.gz", self.ago(hours=1).isoformat()),
                    ("/sitemaps/news.xml", self.ago(minutes=10).isoformat()),
                    ("/sitemaps/archive-2020.xml.gz", "2020-01-31")]
        entries = "".join("<sitemap><loc>%s%s</loc><lastmod>%s</lastmod></sitemap>" % (self.base, p, d)
                          for p, d in children)
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">%s</sitemapindex>'
                % entries).encode()

    def urlset(self, entries: list[tuple[str, str]]) -> bytes:
        urls = "".join("<url><loc>%s%s</loc><lastmod>%s</lastmod></url>" % (self.base, p, d)
                       for p, d in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">%s</urlset>' % urls).encode()

    def sitemap(self) -> bytes:
        return self.urlset([("/sm/new-1", self.ago(hours=5).isoformat()),
                            ("/sm/old-1", self.ago(days=400).date().isoformat())])

    def news_sitemap(self) -> bytes:
        urls = "".join(
            "<url><loc>%s%s</loc><news:news><news:publication><news:name>Site</news:name>"
            "<news:language>en</news:language></news:publication>"
            "<news:publication_date>%s</news:publication_date><news:title>%s</news:title>"
            "</news:news></url>" % (self.base, path, when.isoformat(), path)
            for path, when in (("/news/new-1", self.ago(hours=1)), ("/news/old-1", self.ago(days=3))))
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">%s</urlset>' % urls).encode()
