"""Bounded work per response: links per page, entries per feed or sitemap, inflated size, robots.txt size."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crawler.bounds import ROBOTS_MAX_SIZE
from crawler.discovery import Limits, parse_document
from crawler.links import scan_links
from crawler.robots import readable_part
from tests.conftest import CrawlResult, crawl
from tests.hostile_bounds import ENTRIES, LINKS, ROUTES, big_sitemap, gzip_bomb, many_links, robots
from tests.hostile_server import HostileServer

SITE = "http://127.0.0.1:1/"


# -- the readers, on their own ------------------------------------------------------------------
def test_a_page_is_scanned_up_to_its_links_bound_and_says_it_was_cut() -> None:
    found = scan_links(many_links().decode(), (), max_links=20)
    assert found.cut and len(found.anchors) == 20 and found.anchors[-1] == "/l/17"
    whole = scan_links(many_links().decode(), ())
    assert not whole.cut and len(whole.anchors) == LINKS + 2
    exact = scan_links('<a href="/1">1</a><a name="x">no link</a><a href="/2">2</a>', (), max_links=2)
    assert not exact.cut and exact.anchors == ["/1", "/2"]  # a bound met exactly cuts nothing


def test_a_sitemap_is_read_up_to_its_entries_bound() -> None:
    found = parse_document(big_sitemap(SITE), "application/xml", limits=Limits(entries=25))
    assert found is not None and found.kind == "sitemap" and found.bound == "entries"
    assert found.pages == [SITE + "e/%d" % i for i in range(25)]
    whole = parse_document(big_sitemap(SITE), "application/xml", limits=Limits(entries=0))
    assert whole is not None and len(whole.pages) == ENTRIES and not whole.bound


def test_a_gzip_bomb_is_inflated_only_up_to_the_size_bound() -> None:
    found = parse_document(gzip_bomb(SITE), "application/gzip", limits=Limits(size=4 * 1024 * 1024))
    assert found is not None and found.kind == "sitemap" and found.bound == "document_size"
    assert found.pages == [SITE + "bomb-entry"]


def test_a_json_feed_is_read_up_to_its_entries_bound() -> None:
    items = [{"id": str(i), "url": "https://e.org/%d" % i} for i in range(100)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    found = parse_document(body, "application/feed+json", limits=Limits(entries=10))
    assert found is not None and found.bound == "entries" and len(found.pages) == 10


def test_robots_txt_is_read_up_to_500_kib_in_whole_lines() -> None:
    body = robots(SITE)
    part = readable_part(body)
    assert len(part) <= ROBOTS_MAX_SIZE and part.endswith(b"\n") and body.startswith(part)
    assert b"/private-early/" in part and b"/private-late/" not in part
    assert readable_part(b"Disallow: /x\n") == b"Disallow: /x\n"


# -- a crawl of all of them -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def bounded_crawl(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bounds")
    with HostileServer(routes=ROUTES) as server:
        result = crawl(server.url, root, "b", "-s", "DISCOVERY_PROBE=false", "-s", "DISCOVERY_MAX_LINKS_PER_PAGE=20",
                       "-s", "DISCOVERY_MAX_ENTRIES=25", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
                       "-s", "DOWNLOAD_MAXSIZE=16000000")
        yield server, result


def _requested(server: HostileServer, prefix: str) -> list[str]:
    paths = [r.split(b" ", 2)[1].decode() for r in server.requests]
    return [p for p in paths if p.startswith(prefix)]


def _stats(result: CrawlResult) -> dict:
    return result.reports()[-1]["stats"]


def test_the_crawl_of_hostile_documents_finishes(bounded_crawl) -> None:
    _, result = bounded_crawl
    assert result.returncode == 0, result.stderr[-3000:]


def test_links_past_the_bound_are_ignored_and_the_rest_fetched(bounded_crawl) -> None:
    server, result = bounded_crawl
    # 20 links read: /private-early/a (refused by robots.txt), /private-late/a, /l/0 ... /l/17
    assert sorted(_requested(server, "/l/"), key=lambda p: int(p[3:])) == ["/l/%d" % i for i in range(18)]
    assert _stats(result)["discovery/bound/links"] == 1


def test_sitemap_entries_past_the_bound_are_not_read(bounded_crawl) -> None:
    server, result = bounded_crawl
    assert sorted(_requested(server, "/e/")) == sorted("/e/%d" % i for i in range(25))
    assert _stats(result)["discovery/bound/entries"] == 1


def test_a_gzip_bomb_sitemap_is_read_up_to_the_size_bound(bounded_crawl) -> None:
    server, result = bounded_crawl
    assert server.requested("/bomb-entry") == 1
    assert _stats(result)["discovery/bound/document_size"] == 1


def test_robots_txt_rules_past_500_kib_are_ignored(bounded_crawl) -> None:
    server, result = bounded_crawl
    assert server.requested("/private-early/a") == 0
    assert server.requested("/private-late/a") == 1  # its Disallow came past 500 KiB
    stats = _stats(result)
    assert stats["discovery/bound/robots_size"] == 1
    assert server.requested("/big-sitemap.xml") == 1  # robots.txt's own sitemaps still count


def test_each_bound_is_named_once_with_its_url(bounded_crawl) -> None:
    server, result = bounded_crawl
    for what, url in (("links", server.url), ("entries", server.url + "big-sitemap.xml"),
                      ("document_size", server.url + "bomb.xml.gz"), ("robots_size", server.url + "robots.txt")):
        lines = [line for line in result.stderr.splitlines() if "discovery/bound/%s" % what in line]
        assert len(lines) == 1, (what, lines)
        assert re.search(r"WARNING.*%s has more than \d+" % re.escape(url), lines[0]), lines[0]


def test_the_bounded_documents_are_archived_whole(bounded_crawl) -> None:
    _, result = bounded_crawl
    archive = Path(result.path) / "archive"
    assert sum(p.stat().st_size for p in archive.glob("*.warc.gz")) > 1_000_000  # the bomb as received
