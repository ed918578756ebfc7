"""The benchmark's news site on 127.0.0.1, served by its own process.

    .venv/bin/python bench/site.py serve --mode real --pages 2000  # prints its URL; ends with stdin
    .venv/bin/python bench/site.py check                           # do cycled copies survive dedupe?

Real mode serves copies of real article pages, cheap mode tiny generated articles (corpus.py).
Both have a home page, listings of 50 links (/archive/page/N), an RSS feed, a sitemap index
and a robots.txt naming it. Every response is rendered and gzipped (level 1, nginx's default)
before the server prints its URL, so a request costs a dictionary look-up: the server must not
be what limits a crawler.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import sys
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

PER_LISTING = 50
PER_SITEMAP = 10_000

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


def build_site(base: str, mode: str, pages: int, sources: list[Source]) -> Iterator[tuple[str, Page]]:
    """Every path of the site with its page; articles first to last, newest first in listings."""
    html = "text/html; charset=utf-8"
    paths = [article_path(n, mode) for n in range(pages)]
    for n, path in enumerate(paths):
        if mode == "real":
            source = sources[n % len(sources)]
            content_type = "text/html" + ("; charset=" + source.charset if source.charset else "")
            yield path, Page(content_type, real_article(source, n))
        else:
            yield path, Page(html, cheap_article(n))
    listings = [paths[i : i + PER_LISTING] for i in range(0, len(paths), PER_LISTING)] or [[]]
    for k, chunk in enumerate(listings, 1):
        yield "/archive/page/%d" % k, Page(html, _listing(k, len(listings), chunk))
    yield "/", Page(html, _listing(1, len(listings), listings[0]))
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
def _response(status: str, content_type: str, body: bytes, gzipped: bool) -> bytes:
    head = ["HTTP/1.1 " + status, "Server: bench-site", "Content-Type: " + content_type,
            "Content-Length: %d" % len(body)]
    if gzipped:
        head += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class Responses:
    """Every response of the site as bytes ready for the socket, gzipped and plain."""

    def __init__(self, pages: Iterator[tuple[str, Page]]) -> None:
        self._gzip: dict[bytes, bytes] = {}
        self._plain: dict[bytes, Page] = {}
        for path, page in pages:
            key = path.encode("ascii")
            self._plain[key] = page
            self._gzip[key] = _response("200 OK", page.content_type,
                                        gzip.compress(page.body, compresslevel=1, mtime=0), True)
        self._missing = _response("404 Not Found", "text/plain", b"not found\n", False)

    def __len__(self) -> int:
        return len(self._plain)

    def get(self, target: bytes, gzip_ok: bool) -> bytes:
        if gzip_ok:
            return self._gzip.get(target) or self._missing
        page = self._plain.get(target)
        return _response("200 OK", page.content_type, page.body, False) if page else self._missing


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
            if parts[0] == b"HEAD":
                reply = reply[: reply.index(b"\r\n\r\n") + 4]
            self.transport.write(reply)
            if parts[2] == b"HTTP/1.0" or b"connection: close" in headers:
                self.transport.close()
                return
        if len(self.buffer) > 65536:
            self.transport.close()


async def _serve(mode: str, pages: int, eval_dir: Path) -> None:
    loop = asyncio.get_running_loop()
    sources = load_sources(eval_dir) if mode == "real" else []
    holder: list[Responses] = []
    server = await loop.create_server(lambda: _Protocol(holder[0]), "127.0.0.1", 0, backlog=1024)
    base = "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
    holder.append(Responses(build_site(base, mode, pages, sources)))
    print(json.dumps({"url": base + "/", "paths": len(holder[0]), "articles": pages}), flush=True)
    # the parent ends the server by closing our stdin: no stray server survives a crashed bench
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "check"])
    parser.add_argument("--mode", choices=["real", "cheap"], default="real")
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
