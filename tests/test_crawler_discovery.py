"""Discovery: feeds and sitemaps of every kind read right, and real crawls that find, bound and skip."""
from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.discovery import Discovered, parse_date, parse_document
from crawler.spiders.news import NewsSpider
from tests.conftest import CrawlResult, crawl, run_newsarchive
from tests.discovery_site import DEEP_CHAIN, DiscoverySite

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
SINCE = NOW - timedelta(hours=24)


# -- documents -----------------------------------------------------------------------------
def read(body: bytes, content_type: str, since: datetime | None = None) -> Discovered:
    found = parse_document(body, content_type, since)
    assert found is not None, "not read as a feed or sitemap"
    return found


def test_json_feed_items_and_dates() -> None:
    for version in ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"):
        body = json.dumps({"version": version, "title": "T", "items": [
            {"id": "1", "url": "https://e.org/new", "date_published": "2026-03-20T08:00:00Z"},
            {"id": "2", "url": "https://e.org/old", "date_published": "2026-03-01T08:00:00+01:00"},
            {"id": "3", "url": "https://e.org/edited", "date_published": "2026-01-01T00:00:00Z",
             "date_modified": "2026-03-20T09:00:00Z"},
            {"id": "4", "url": "https://e.org/undated"},
            {"id": "5", "content_text": "no url"},
        ]}).encode()
        found = read(body, "application/feed+json")
        assert found.kind == "jsonfeed"
        assert found.pages == ["https://e.org/new", "https://e.org/old", "https://e.org/edited",
                               "https://e.org/undated"]
        recent = read(body, "application/json", SINCE)
        assert recent.pages == ["https://e.org/new", "https://e.org/edited", "https://e.org/undated"]
        assert recent.too_old == 1


def test_other_json_is_not_a_feed() -> None:
    assert parse_document(b'{"results": [{"url": "https://e.org/x"}]}', "application/json") is None
    assert parse_document(b"<html><body>hi</body></html>", "text/html") is None


def test_rss_items_with_rfc822_dates_guids_and_no_dates() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><link>https://e.org/</link>
    <item><link>https://e.org/new</link><pubDate>Fri, 20 Mar 2026 10:00:00 +0000</pubDate></item>
    <item><link>https://e.org/old</link><pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate></item>
    <item><link>https://e.org/dc</link><dc:date>2026-03-20T07:00:00Z</dc:date></item>
    <item><guid>https://e.org/guid</guid></item>
    <item><guid isPermaLink="false">tag:e.org,2026:1</guid><title>no link</title></item>
    <item><link>https://e.org/undated</link><pubDate>not a date</pubDate></item>
    </channel></rss>"""
    found = read(body, "application/rss+xml", SINCE)
    assert found.kind == "rss"
    assert found.pages == ["https://e.org/new", "https://e.org/dc", "https://e.org/guid",
                           "https://e.org/undated"]
    assert found.too_old == 1


def test_rss_1_items_by_rdf_about() -> None:
    body = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://e.org/"><link>https://e.org/</link></channel>
      <item rdf:about="https://e.org/one"><title>One</title></item>
      <item rdf:about="https://e.org/x"><link>https://e.org/two</link></item></rdf:RDF>"""
    found = read(body, "application/rdf+xml")
    assert found.pages == ["https://e.org/one", "https://e.org/two"]


def test_atom_alternate_links_and_the_most_recent_date() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <link rel="self" href="https://e.org/atom.xml"/>
    <entry><link rel="enclosure" href="https://e.org/a.mp3"/><link href="https://e.org/updated"/>
      <published>2026-01-01T00:00:00Z</published><updated>2026-03-20T06:00:00Z</updated></entry>
    <entry><link rel="alternate" type="text/html" href="https://e.org/old"/>
      <published>2026-02-01T00:00:00Z</published><updated>2026-02-02T00:00:00Z</updated></entry>
    </feed>"""
    assert read(body, "application/atom+xml").pages == ["https://e.org/updated", "https://e.org/old"]
    recent = read(body, "application/atom+xml", SINCE)
    assert recent.kind == "atom" and recent.pages == ["https://e.org/updated"] and recent.too_old == 1


def test_google_news_sitemap_by_publication_date() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
            xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
    <url><loc>https://e.org/new</loc><image:image><image:loc>https://e.org/pic.jpg</image:loc></image:image>
      <news:news><news:publication><news:name>E</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-03-20T09:30:00+01:00</news:publication_date><news:title>N</news:title></news:news></url>
    <url><loc>https://e.org/old</loc><news:news>
      <news:publication_date>2026-03-02</news:publication_date></news:news></url>
    </urlset>"""
    found = read(body, "text/xml", SINCE)
    assert found.kind == "news_sitemap"
    assert found.pages == ["https://e.org/new"] and found.too_old == 1


def test_gzipped_sitemap_index_and_lastmod() -> None:
    index = b"""<?xml version="1.0" encoding="UTF-8"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://e.org/sitemap-2026-03.xml.gz</loc><lastmod>2026-03-20T10:00:00Z</lastmod></sitemap>
    <sitemap><loc>https://e.org/sitemap-2019-01.xml.gz</loc><lastmod>2019-01-31</lastmod></sitemap>
    <sitemap><loc>https://e.org/sitemap-misc.xml</loc></sitemap>
    </sitemapindex>"""
    found = read(gzip.compress(index), "application/octet-stream")
    assert found.kind == "sitemapindex" and found.pages == []
    assert found.documents == ["https://e.org/sitemap-2026-03.xml.gz", "https://e.org/sitemap-2019-01.xml.gz",
                               "https://e.org/sitemap-misc.xml"]
    recent = read(gzip.compress(index), "application/x-gzip", SINCE)
    assert recent.documents == ["https://e.org/sitemap-2026-03.xml.gz", "https://e.org/sitemap-misc.xml"]
    assert recent.too_old == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("Fri, 20 Mar 2026 10:00:00 +0000", datetime(2026, 3, 20, 10, tzinfo=timezone.utc)),
    ("Fri, 20 Mar 2026 10:00:00 EST", datetime(2026, 3, 20, 15, tzinfo=timezone.utc)),
    ("2026-03-20T10:00:00Z", datetime(2026, 3, 20, 10, tzinfo=timezone.utc)),
    ("2026-03-20T11:00:00.123+01:00", datetime(2026, 3, 20, 10, 0, 0, 123000, tzinfo=timezone.utc)),
    ("2026-03-20", datetime(2026, 3, 20, tzinfo=timezone.utc)),
    ("2026-03", datetime(2026, 3, 1, tzinfo=timezone.utc)),
    ("yesterday", None),
    ("2026-13-45", None),
])
def test_feed_and_sitemap_dates(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


# -- crawls --------------------------------------------------------------------------------
@dataclass
class Crawl:
    result: CrawlResult
    site: DiscoverySite

    @property
    def stats(self) -> dict:
        (report,) = self.result.reports()
        return report["stats"]

    def fetched(self) -> Counter:
        """Path (with query) -> number of response records, for every capture of the site."""
        found: Counter = Counter()
        for path in sorted((self.result.path / "archive").glob("*.warc.gz")):
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type in ("response", "revisit"):
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        local = uri.startswith(self.site.base)
                        found[uri[len(self.site.base):] if local else uri] += 1
        return found

    def status(self, path: str) -> int | None:
        for warc in sorted((self.result.path / "archive").glob("*.warc.gz")):
            with open(warc, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type == "response" and \
                            record.rec_headers.get_header("WARC-Target-URI") == self.site.base + path:
                        return int(record.http_headers.get_statuscode())
        return None


@pytest.fixture(scope="module")
def site() -> Iterator[DiscoverySite]:
    with DiscoverySite() as s:
        yield s


def _crawl(site: DiscoverySite, root: Path, *extra: str) -> Crawl:
    result = crawl(site.url, root, "c", "-s", "EXTRACT_WORKERS=0", *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return Crawl(result, site)


@pytest.fixture(scope="module")
def full(site: DiscoverySite, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return _crawl(site, tmp_path_factory.mktemp("full"), "-s", "DISCOVERY_TRAP_LIMIT=5")


def test_pages_are_found_through_every_kind_of_feed_and_sitemap(full: Crawl) -> None:
    got = full.fetched()
    expected = {
        "/atom/new-1": "Atom feed named by <link rel=alternate> on the home page",
        "/rss/new-1": "RSS feed named by <link rel=alternate> on a section page",
        "/rss/undated-1": "RSS item without a date", "/rss/guid-1": "RSS item with only a permalink guid",
        "/json/new-1": "JSON Feed at /feed, found by probing",
        "/sm/new-1": "gzipped sitemap in the gzipped sitemap index named by robots.txt",
        "/news/new-1": "Google News sitemap in the sitemap index",
        "/sm/archive-1": "a second gzipped sitemap of the index",
    }
    missing = {path: why for path, why in expected.items() if not got[path]}
    assert not missing
    for document in ("/robots.txt", "/sitemap-index.xml.gz", "/sitemaps/pages.xml.gz", "/sitemaps/news.xml",
                     "/atom.xml", "/rss.xml", "/feed"):
        assert got[document] == 1, document
    stats = full.stats
    for kind in ("jsonfeed", "atom", "rss", "sitemapindex", "sitemap", "news_sitemap"):
        assert stats["discovery/" + kind] >= 1, kind
    # what was found where: each URL counted once, by the first document or page that listed it
    assert stats["discovery/found/robots"] == 2
    assert stats["discovery/found/sitemapindex"] == 3
    assert stats["discovery/found/alternate"] == 2
    assert stats["discovery/found/probe"] == 3


def test_usual_feed_and_sitemap_paths_are_probed_once(full: Crawl) -> None:
    got = full.fetched()
    assert (got["/sitemap.xml"], got["/sitemap_news.xml"], got["/feed"]) == (1, 1, 1)
    assert full.status("/sitemap.xml") == 404 and full.status("/sitemap_news.xml") == 404
    assert full.status("/feed") == 200


def test_url_traps_stop_at_the_limit_and_are_reported_once(full: Crawl) -> None:
    got = full.fetched()
    families = {
        "calendar": [p for p in got if p.startswith("/calendar/")],
        "pagination": [p for p in got if p.startswith("/list?page=")],
        "session": [p for p in got if p.startswith("/s/?sid=")],
        "repeated": [p for p in got if p.startswith("/loop/x/x/")],
    }
    warnings = [line for line in full.result.stderr.splitlines() if "URL trap" in line]
    for kind, members in families.items():
        assert len(members) == 5, (kind, members)
        assert full.stats["discovery/trap/" + kind] == 1
        assert len([w for w in warnings if "(%s)" % kind in w]) == 1, warnings
    assert all(got[p] == 1 for members in families.values() for p in members)
    assert any("/calendar/N/N/" in w and "WARNING" in w for w in warnings)
    assert any("/list?page=N" in w for w in warnings)
    assert got["/deep/%d" % DEEP_CHAIN] == 1  # a long chain that is no trap is followed to its end


def test_other_sites_and_tracking_parameters_are_not_followed(full: Crawl) -> None:
    got = full.fetched()
    other = full.site.other
    # the one exception: a sitemap our robots.txt names may live on another host (a CDN) ...
    assert got[other + "/cdn/sitemap.xml"] == 1 and got["/sm/cdn-1"] == 1
    # ... but what it lists there, and what the other site's robots.txt names, are not followed
    assert {uri for uri in got if "localhost" in uri or "offsite" in uri} == {
        other + "/robots.txt", other + "/cdn/sitemap.xml"}
    assert not got["/sm/from-other-robots"]
    assert full.stats["discovery/out_of_scope"] >= 2
    assert got["/a/1"] == 1
    assert not [uri for uri in got if re.search(r"utm_|fbclid", uri)]


def test_since_skips_old_feed_and_sitemap_entries_but_keeps_undated_ones(
        site: DiscoverySite, tmp_path: Path) -> None:
    run = _crawl(site, tmp_path, "--since", "24h", "-s", "DISCOVERY_TRAP_LIMIT=2")
    got = run.fetched()
    for path in ("/atom/new-1", "/rss/new-1", "/rss/undated-1", "/json/new-1", "/sm/new-1", "/news/new-1"):
        assert got[path] == 1, path
    old = ["/atom/old-1", "/rss/old-1", "/json/old-1", "/sm/old-1", "/news/old-1",
           "/sitemaps/archive-2020.xml.gz", "/sm/archive-1"]
    assert not [path for path in old if got[path]]
    assert run.stats["discovery/too_old"] == 6
    assert got["/a/1"] == 1  # pages linked from pages are not dated: --since is about feeds


def test_max_depth_counts_link_hops_and_feeds_do_not_use_them_up(site: DiscoverySite, tmp_path: Path) -> None:
    run = _crawl(site, tmp_path, "--max-depth", "1")
    got = run.fetched()
    assert got["/deep/1"] == 1 and not got["/deep/2"]
    assert got["/section/"] == 1 and not got["/a/3"]  # two hops from the seed
    # feeds and sitemaps sit at the depth of what named them; their entries one hop further
    assert got["/atom/new-1"] == 1  # seed -> atom.xml (alternate) -> entry
    assert got["/sm/new-1"] == 1 and got["/news/new-1"] == 1  # robots.txt -> index -> sitemap -> entry
    assert got["/json/new-1"] == 1  # probe -> entry
    assert got["/rss.xml"] == 1 and not got["/rss/new-1"]  # seed -> section -> rss.xml -> entry: 2 hops
    assert len([p for p in got if p.startswith("/calendar/")]) == 1
    assert run.stats["discovery/too_deep"] >= 5


def test_allow_and_deny_patterns(site: DiscoverySite, tmp_path: Path) -> None:
    run = _crawl(site, tmp_path, "--allow", "/(a|atom)/", "--deny", "/private/", "--deny", "old-")
    got = run.fetched()
    assert not got["/private/secret"]
    assert got["/a/1"] == 1 and got["/a/2"] == 1 and got["/atom/new-1"] == 1
    assert not got["/atom/old-1"]  # denied
    # allow picks pages; feeds and sitemaps are still read to find them
    assert got["/atom.xml"] == 1 and got["/sitemap-index.xml.gz"] == 1 and got["/feed"] == 1
    for path in ("/section/", "/json/new-1", "/sm/new-1", "/news/new-1", "/deep/1", "/calendar/2026/03/"):
        assert not got[path], path
    assert run.stats["discovery/denied"] >= 2
    assert run.stats["discovery/not_allowed"] >= 5


def test_feeds_and_sitemap_indexes_are_seeds_too_and_probing_can_be_off(
        site: DiscoverySite, tmp_path: Path) -> None:
    proc = run_newsarchive("crawl", site.base + "/feed", site.base + "/sitemap-index.xml.gz",
                           "--root", str(tmp_path), "--collection", "c", "--allow-private",
                           "-s", "EXTRACT_WORKERS=0", "-s", "DISCOVERY_PROBE=false")
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = Crawl(CrawlResult(tmp_path, "c", proc.returncode, proc.stdout, proc.stderr), site)
    got = run.fetched()
    for path in ("/json/new-1", "/json/old-1", "/sm/new-1", "/news/new-1", "/sm/archive-1"):
        assert got[path] == 1, path
    assert not got["/sitemap.xml"] and not got["/sitemap_news.xml"] and not got["/"]
    assert "discovery/found/probe" not in run.stats


# -- links seen again ------------------------------------------------------------------------
def _spider_on(known: set[str]) -> NewsSpider:
    from scrapy.utils.test import get_crawler

    from crawler.scope import DiscoveryConfig

    crawler = get_crawler(NewsSpider)
    crawler.stats.open_spider()
    spider = NewsSpider(seeds="https://news.example/")
    spider.crawler = crawler
    spider.configure(DiscoveryConfig())
    spider._known_article = known.__contains__
    return spider


def test_links_repeated_on_every_page_are_requested_once_and_counted_every_time() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    def page(url: str, body: str) -> HtmlResponse:
        return HtmlResponse(url, body=body.encode(), request=Request(url, meta={"link_depth": 1}))

    known = {"https://news.example/old-story"}
    spider = _spider_on(known)
    nav = ('<a href="/politics/">P</a><a href="https://other.example/x">O</a>'
           '<a href="/old-story">K</a><a href="/logo.png">L</a><a href="/a/?utm_source=nav">A</a>')
    requested = []
    for n in range(3):
        response = page("https://news.example/story-%d" % n,
                        '<html><body>%s<a href="/story-%d">next</a></body></html>' % (nav, n + 1))
        requested += [r.url for r in spider._follow(response, None)]
    assert requested == ["https://news.example/politics/", "https://news.example/a/",
                         "https://news.example/story-1", "https://news.example/story-2",
                         "https://news.example/story-3"]
    stats = spider.crawler.stats.get_stats()
    assert stats["discovery/out_of_scope"] == 3  # every link seen, as before
    assert stats["discovery/known_article"] == 3
    assert spider.scheduled == 5  # links seen again do not spend the page budget
    again = page("https://news.example/story-9", '<a href="/story-3">3</a><a href="/sport/">S</a>')
    assert [(r.url, r.meta["link_depth"]) for r in spider._follow(again, None)] == [
        ("https://news.example/sport/", 2)]


def test_relative_links_follow_the_base_href() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    spider = _spider_on(set())
    url = "https://news.example/2026/03/story"
    body = (b'<head><base href="/sections/world/"><base href="https://elsewhere.example/">'
            b'<link rel="alternate" type="application/rss+xml" href="feed.xml"></head>'
            b'<body><a href="next-story">n</a><a href="/about/">a</a></body>')
    response = HtmlResponse(url, body=body, request=Request(url, meta={"link_depth": 0}))
    assert [r.url for r in spider._follow(response, None)] == [
        "https://news.example/sections/world/feed.xml", "https://news.example/sections/world/next-story",
        "https://news.example/about/"]
    unusable = HtmlResponse(url, body=b'<base href="javascript:void(0)"><a href="next">n</a>',
                            request=Request(url, meta={"link_depth": 0}))
    assert [r.url for r in spider._follow(unusable, None)] == ["https://news.example/2026/03/next"]
