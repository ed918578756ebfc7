"""The benchmark's news site on 127.0.0.1, served by its own process.

    .venv/bin/python bench/site.py serve --mode real --pages 2000  # prints its URL; ends with stdin
    .venv/bin/python bench/site.py check                           # do cycled copies survive dedupe?

Real mode serves copies of real article pages, cheap mode tiny generated articles (corpus.py),
requisites mode real article texts in one template with a site's stylesheets, fonts, scripts,
icons and images, some of them on a second host, the "CDN" (requisite_site.py).
All have a home page, listings of 50 links (/archive/page/N), an RSS feed, a sitemap index
and a robots.txt naming it. Every response is rendered and gzipped (level 1, nginx's default)
before the server prints its URL, so a request costs a dictionary look-up: the server must not
be what limits a crawler. Images and fonts are sent plain, as servers do.

The server prints {"url": ..., "cdn": ...} on one line, then reads its stdin: the line "counts"
makes it print how often each URL was requested since the last "counts" (one JSON line); the
end of stdin stops it.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

from corpus import (
    EVAL_DIR,
    MissingCorpus,
    Source,
    article_path,
    cheap_article,
    check,
    load_sources,
    real_article,
)
from requisite_site import MODE as REQUISITES
from requisite_site import (
    Asset,
    Pool,
    Story,
    article_html,
    article_images,
    listing_html,
    load_stories,
    shared_assets,
)

PER_LISTING = 50
PER_SITEMAP = 10_000
CDN_ADDRESS = "127.0.0.2"

# -- the site's pages ---------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    content_type: str
    body: bytes


def _listing(k: int, last: int, paths: list[str]) -> bytes:
    window = sorted({1, last, *range(max(1, k - 3), min(last, k + 3) + 1)} - {k})
    pager = "".join('<a class="page" href="/archive/page/%d">%d</a> ' % (p, p) for p in window)
    if k < last:
        pager += '<a class="page" rel="next" href="/archive/page/%d">next</a>' % (k + 1)
    stories = "".join('<li><a class="story" href="%s">Bench story number %s today</a></li>'
                      % (escape(p), escape(p.split("/")[-1].split("-")[0])) for p in paths)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Archive page %d</title>'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>'
            "<ul>%s</ul><nav>%s</nav></body></html>" % (k, stories, pager)).encode("utf-8")


def _listing_of(mode: str, k: int, last: int, paths: list[str], cdn: str) -> bytes:
    if mode == REQUISITES:
        return listing_html(k, last, [int(p.split("/")[-1].split("-")[0]) for p in paths], cdn)
    return _listing(k, last, paths)


def build_cdn(pages: int, pool: Pool, shared: dict[str, Asset]) -> Iterator[tuple[str, Asset]]:
    """The CDN's paths: the shared fonts, sprite and vendor script, every article's images."""
    yield from shared.items()
    for n in range(pages):
        yield from article_images(n, pool)


def build_requisite_site(base: str, pages: int, stories: list[Story], shared: dict[str, Asset],
                         cdn: str) -> Iterator[tuple[str, Page | Asset]]:
    """The site's pages and its own shared requisites."""
    yield from build_site(base, REQUISITES, pages, [], stories, cdn)
    yield from shared.items()


def build_site(base: str, mode: str, pages: int, sources: list[Source], stories: list[Story] | None = None,
               cdn: str = "") -> Iterator[tuple[str, Page]]:
    """Every path of the site with its page; articles first to last, newest first in listings."""
    html = "text/html; charset=utf-8"
    paths = [article_path(n, mode) for n in range(pages)]
    for n, path in enumerate(paths):
        if mode == "real":
            source = sources[n % len(sources)]
            content_type = "text/html" + ("; charset=" + source.charset if source.charset else "")
            yield path, Page(content_type, real_article(source, n))
        elif mode == REQUISITES and stories:
            yield path, Page(html, article_html(n, stories[n % len(stories)], cdn))
        else:
            yield path, Page(html, cheap_article(n))
    listings = [paths[i : i + PER_LISTING] for i in range(0, len(paths), PER_LISTING)] or [[]]
    for k, chunk in enumerate(listings, 1):
        yield "/archive/page/%d" % k, Page(html, _listing_of(mode, k, len(listings), chunk, cdn))
    yield "/", Page(html, _listing_of(mode, 1, len(listings), listings[0], cdn))
    items = "".join("<item><title>Bench story %d</title><link>%s%s</link></item>" % (n, base, p)
                    for n, p in enumerate(paths[:PER_LISTING]))
    yield "/feed.xml", Page("application/rss+xml", (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        "<link>%s/</link>%s</channel></rss>" % (base, items)).encode("utf-8"))
    maps = [paths[i : i + PER_SITEMAP] for i in range(0, len(paths), PER_SITEMAP)]
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    yield "/sitemap.xml", Page("application/xml", (
        '<?xml version="1.0" encoding="utf-8"?><sitemapindex %s>%s</sitemapindex>' % (ns, "".join(
            "<sitemap><loc>%s/sitemap-%d.xml</loc></sitemap>" % (base, i) for i in range(1, len(maps) + 1))
        )).encode("utf-8"))
    for i, chunk in enumerate(maps, 1):
        yield "/sitemap-%d.xml" % i, Page("application/xml", (
            '<?xml version="1.0" encoding="utf-8"?><urlset %s>%s</urlset>' % (ns, "".join(
                "<url><loc>%s%s</loc></url>" % (base, p) for p in chunk))).encode("utf-8"))
    yield "/robots.txt", Page("text/plain", (
        "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n" % base).encode("ascii"))


# -- HTTP/1.1 keep-alive server over asyncio ------------------------------------------------
def _head(status: str, content_type: str, length: int, gzipped: bool) -> bytes:
    head = ["HTTP/1.1 " + status, "Server: bench-site", "Content-Type: " + content_type,
            "Content-Length: %d" % length]
    if gzipped:
        head += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")


class Responses:
    """Every response of the site as parts ready for the socket (the head first), gzipped and plain;
    counts how often each path was asked for."""

    def __init__(self, pages: Iterator[tuple[str, Page | Asset]]) -> None:
        self._gzip: dict[bytes, tuple[bytes | memoryview, ...]] = {}
        self._plain: dict[bytes, Asset] = {}
        self.counts: Counter[bytes] = Counter()
        for path, page in pages:
            key = path.encode("ascii")
            asset = page if isinstance(page, Asset) else Asset(page.content_type, (page.body,), True)
            self._plain[key] = asset
            if asset.text:
                body = gzip.compress(b"".join(asset.parts), compresslevel=1, mtime=0)
                self._gzip[key] = (_head("200 OK", asset.content_type, len(body), True), body)
            else:
                self._gzip[key] = (_head("200 OK", asset.content_type, asset.size, False), *asset.parts)
        self._missing = (_head("404 Not Found", "text/plain", 10, False), b"not found\n")

    def __len__(self) -> int:
        return len(self._plain)

    def get(self, target: bytes, gzip_ok: bool) -> tuple[bytes | memoryview, ...]:
        self.counts[target] += 1
        if gzip_ok:
            return self._gzip.get(target) or self._missing
        asset = self._plain.get(target)
        if asset is None:
            return self._missing
        return (_head("200 OK", asset.content_type, asset.size, False), *asset.parts)


class _Protocol(asyncio.Protocol):
    def __init__(self, responses: Responses) -> None:
        self.responses = responses
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            line, _, headers = head.partition(b"\r\n")
            parts, headers = line.split(b" "), headers.lower()
            if len(parts) != 3:
                self.transport.close()
                return
            gzip_ok = re.search(rb"^accept-encoding:[^\r\n]*gzip", headers, re.MULTILINE) is not None
            reply = self.responses.get(parts[1], gzip_ok)
            self.transport.writelines(reply[:1] if parts[0] == b"HEAD" else reply)
            if parts[2] == b"HTTP/1.0" or b"connection: close" in headers:
                self.transport.close()
                return
        if len(self.buffer) > 65536:
            self.transport.close()


async def _serve(mode: str, pages: int, eval_dir: Path) -> None:
    loop = asyncio.get_running_loop()
    sources = load_sources(eval_dir) if mode == "real" else []
    holder: dict[str, Responses] = {}
    server = await loop.create_server(lambda: _Protocol(holder["site"]), "127.0.0.1", 0, backlog=1024)
    servers, base, cdn = [server], "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1], ""
    if mode == REQUISITES:
        # another address, so the crawl meets another host: its own robots.txt, slot and politeness
        cdn_server = await loop.create_server(lambda: _Protocol(holder["cdn"]), CDN_ADDRESS, 0, backlog=1024)
        servers.append(cdn_server)
        cdn = "http://%s:%d" % (CDN_ADDRESS, cdn_server.sockets[0].getsockname()[1])
        pool = Pool()
        own, on_cdn = shared_assets(cdn, pool)
        holder["site"] = Responses(build_requisite_site(base, pages, load_stories(eval_dir), own, cdn))
        holder["cdn"] = Responses(build_cdn(pages, pool, on_cdn))
    else:
        holder["site"] = Responses(build_site(base, mode, pages, sources))
    origins = {"site": base, "cdn": cdn}
    print(json.dumps({"url": base + "/", "cdn": cdn or None, "paths": sum(len(r) for r in holder.values()),
                      "articles": pages}), flush=True)
    # the parent ends the server by closing our stdin: no stray server survives a crashed bench
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "counts":
            counts = {origins[name] + path.decode("latin-1"): n
                      for name, r in holder.items() for path, n in r.counts.items()}
            for r in holder.values():
                r.counts.clear()
            print(json.dumps(counts), flush=True)
    for s in servers:
        s.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "check"])
    parser.add_argument("--mode", choices=["real", "cheap", REQUISITES], default="real")
    parser.add_argument("--pages", type=int, default=2000, help="articles on the site")
    parser.add_argument("--cycles", type=int, default=3, help="check: copies of each source compared")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check(args.eval_dir, args.cycles)
        asyncio.run(_serve(args.mode, args.pages, args.eval_dir))
    except MissingCorpus as err:
        print("bench/site.py: %s" % err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
