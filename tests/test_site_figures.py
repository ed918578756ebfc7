"""Per-site figures in the run report (report["sites"]) and why a run wrote nothing: counted by
hand on made-up items, and checked against the items file and the WARCs of real crawls."""
from __future__ import annotations

import json
import shutil
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet import error as net
from warcio.archiveiterator import ArchiveIterator

from crawler.fetch_errors import HeaderTooLarge
from crawler.redirect_scope import RedirectRefused
from crawler.site_stats import error_kind, skip_reason
from pipelines.merge import site_of
from pipelines.site_figures import MISSING_FIELDS, nothing_because, read_items, site_figures, site_table
from tests.conftest import CrawlResult, crawl, free_port, run_newsarchive
from tests.hostile_server import ARTICLE, HostileServer, article, page

SITE = "http://news.example"


def item(url: str, **fields: object) -> dict[str, object]:
    found: dict[str, object] = {"url": url, "title": "A title", "authors": ["Ann Lee"],
                                "published": "2024-05-01", "language": "en", "text": "x" * 100}
    found.update(fields)
    return found


# -- the computation, on hand-made items and outcomes ------------------------------------------
def test_figures_per_site_from_items_outcomes_and_counters() -> None:
    items = [
        item(SITE + "/a"),
        item(SITE + "/b", title="  ", authors=[], text="y" * 300),
        item(SITE + "/c", authors=[""], published=None, language=None, text="z" * 200),
        item("http://other.example:8080/x", text="w" * 50),
    ]
    outcomes = [
        (SITE + "/a", "written", "new"), (SITE + "/d", "duplicate", "exact"), (SITE + "/e", "duplicate", "url"),
        (SITE + "/tag", "not_article", "tag"), (SITE + "/tag2", "not_article", "tag"),
        (SITE + "/f", "error", "ValueError: bad"), (SITE + "/p.pdf", "skipped", "not-html"),
        (SITE + "/gone", "skipped", "status-404"),  # a crawl's counters have every status already
    ]
    stats = {"sites/news.example/pages": 12, "sites/news.example/status/200": 9,
             "sites/news.example/status/404": 1, "sites/news.example/status/503": 2,
             "sites/news.example/status/304": 5,
             "sites/news.example/error/timeout": 3, "sites/news.example/skipped/robots": 4,
             "sites/robots-only.example/skipped/robots": 7, "downloader/response_count": 99}
    sites = site_figures(items, outcomes, stats)
    assert list(sites) == ["news.example", "other.example:8080", "robots-only.example"]
    news = sites["news.example"]
    assert news == {
        "pages": 12, "articles": 3, "duplicates": {"url": 1, "exact": 1, "near": 0},
        "not_articles": {"tag": 2}, "skipped": {"not-html": 1, "not_modified": 5, "robots": 4, "status-404": 1},
        "errors": {"extract": 1, "http_5xx": 2, "timeout": 3},
        "missing": {"title": round(1 / 3, 4), "authors": round(2 / 3, 4), "published": round(1 / 3, 4),
                    "language": round(1 / 3, 4)},
        "mean_text_length": 200.0,
    }
    assert sites["other.example:8080"]["missing"] == dict.fromkeys(MISSING_FIELDS, 0.0)
    assert sites["other.example:8080"]["pages"] == 0  # no fetch counters for it
    silent = sites["robots-only.example"]
    assert silent["articles"] == 0 and silent["skipped"] == {"robots": 7}
    assert silent["missing"] == dict.fromkeys(MISSING_FIELDS) and silent["mean_text_length"] is None


def test_replay_counts_its_pages_and_statuses_from_outcomes() -> None:
    outcomes = [(SITE + "/a", "written", "new"), (SITE + "/gone", "skipped", "status-404"),
                (SITE + "/down", "skipped", "status-502"), (SITE + "/s.css", "skipped", "not-html")]
    sites = site_figures([item(SITE + "/a")], outcomes, {}, pages_from_outcomes=True)
    assert sites["news.example"]["pages"] == 4
    assert sites["news.example"]["skipped"] == {"not-html": 1, "status-404": 1}
    assert sites["news.example"]["errors"] == {"http_5xx": 1}


def test_items_file_read_back_skipping_bad_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(item(SITE + "/a")) + "\n\n{broken\n[1, 2]\n" + json.dumps(item(SITE + "/b")) + "\n")
    assert [i["url"] for i in read_items(str(path))] == [SITE + "/a", SITE + "/b"]
    assert "line 3: not JSON" in caplog.text and "line 4: not a JSON object" in caplog.text


def test_nothing_because_names_the_largest_reasons_first() -> None:
    assert nothing_because({"items/written": 3, "discovery/too_old": 71}) is None
    assert nothing_because({"discovery/too_old": 71, "fetch/errors": 2}) == (
        "71 feed or sitemap entries older than --since; 2 fetch errors")
    assert nothing_because({"discovery/known_article": 5, "resume/known_article": 4,
                            "discovery/not_modified": 2}) == (
        "9 links to articles the collection already holds; 2 feeds or listings not modified since the last run")
    assert nothing_because({"robotstxt/forbidden": 3, "robotstxt/server_error": 1}) == (
        "3 requests forbidden by robots.txt; 1 site(s) whose robots.txt could not be read (all forbidden)")
    assert nothing_because({"dedupe/exact": 2, "dedupe/near": 1, "extract/skipped/not-html": 4}) == (
        "4 pages skipped (error status, not HTML); 3 duplicates of articles already archived")
    assert nothing_because({}) == "nothing was fetched"
    assert nothing_because({"downloader/response_count": 1}) == "no page to extract was found"


def test_summary_table_most_pages_first_at_most_twenty() -> None:
    sites = site_figures([item("http://s%02d.example/a" % n) for n in range(25)], [],
                         {"sites/s%02d.example/pages" % n: n for n in range(25)})
    sites["s24.example"]["errors"] = {"timeout": 2}
    lines = site_table(sites)
    assert lines[0] == "  per site" and lines[1].split()[:3] == ["site", "pages", "articles"]
    rows = lines[2:-1]
    assert [row.split()[0] for row in rows] == ["s%02d.example" % n for n in range(24, 4, -1)]
    assert rows[0].split()[1:4] == ["24", "1", "0"] and rows[0].endswith("(timeout: 2)")
    assert lines[-1] == '    and 5 more (all in the run report\'s "sites")'
    assert site_table({}) == []


def test_fetch_failures_and_refusals_by_kind() -> None:
    assert error_kind(net.TimeoutError()) == "timeout"
    assert error_kind(DownloadTimeoutError()) == "timeout"
    assert error_kind(CannotResolveHostError()) == "dns"
    assert error_kind(DownloadConnectionRefusedError()) == "refused"
    assert error_kind(net.DNSLookupError()) == "dns"
    assert error_kind(net.ConnectionRefusedError()) == "refused"
    assert error_kind(HeaderTooLarge("too long")) == "header_too_large"
    assert error_kind(ValueError()) == "valueerror"
    assert skip_reason(IgnoreRequest("Forbidden by robots.txt")) == "robots"
    assert skip_reason(RedirectRefused("redirect out_of_scope: a -> b")) == "redirect_refused"
    assert skip_reason(IgnoreRequest("non-public address 10.0.0.1 for http://x/")) == "refused_private"
    assert skip_reason(IgnoreRequest("something else")) == "ignored"


# -- real crawls: the figures agree with the items file and the WARCs ----------------------------
PAGE_TYPES = ("text/html", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
              "application/xml", "text/xml")


def warc_pages(collection: Path) -> Counter[str]:
    """Per site, the response records of pages, feeds and sitemaps of a first crawl: not robots.txt,
    not redirects, not requisites (stylesheets, images, fonts, scripts), not a download cut short
    (WARC-Truncated: a lost fetch, what came of it archived)."""
    pages: Counter[str] = Counter()
    for path in (collection / "archive").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                status = int(record.http_headers.get_statuscode())
                kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                truncated = record.rec_headers.get_header("WARC-Truncated")
                if (urlsplit(url).path != "/robots.txt" and not 300 <= status < 400 and kind in PAGE_TYPES
                        and not truncated):
                    pages[site_of(url)] += 1
    return pages


def recount(items: list[dict]) -> dict[str, dict]:
    """Articles, missing shares and mean text length per site, counted again from the items."""
    by_site: dict[str, list[dict]] = {}
    for found in items:
        by_site.setdefault(site_of(found["url"]), []).append(found)
    return {site: {"articles": len(group),
                   "missing": {name: round(sum(1 for i in group if not i[name] or i[name] == [""]) / len(group), 4)
                               for name in MISSING_FIELDS},
                   "mean_text_length": round(sum(len(i["text"]) for i in group) / len(group), 1)}
            for site, group in by_site.items()}


def assert_agrees(result: CrawlResult, report: dict) -> None:
    items = result.items(report["run"])
    sites = report["sites"]
    for site, counted in recount(items).items():
        assert {k: sites[site][k] for k in counted} == counted, site
    assert sum(s["articles"] for s in sites.values()) == report["articles"] == len(items)
    assert sum(sum(s["duplicates"].values()) for s in sites.values()) == sum(report["duplicates"].values())
    reasons: Counter[str] = Counter()
    for figures in sites.values():
        reasons.update(figures["not_articles"])
    assert dict(reasons) == report["not_article_reasons"]


def test_demo_crawl_figures_agree_with_items_and_warcs(demo_crawl: CrawlResult, demo_site) -> None:
    report = demo_crawl.reports()[0]
    site = site_of(demo_site.url)
    assert list(report["sites"]) == [site]  # the demo is one site, host:port
    figures = report["sites"][site]
    assert figures["articles"] > 20 and figures["not_articles"]
    assert_agrees(demo_crawl, report)
    assert {site: figures["pages"]} == dict(warc_pages(demo_crawl.path))
    statuses = {k.rpartition("/")[2]: v for k, v in report["stats"].items() if k.startswith("sites/%s/status/" % site)}
    assert figures["pages"] == sum(statuses.values()) and statuses["200"] > 100
    assert figures["skipped"].get("status-404", 0) == statuses.get("404", 0) > 0  # the demo's broken links
    assert figures["pages"] < report["responses"]  # its requisites are not pages
    assert figures["skipped"].get("robots", 0) == report["stats"].get("robotstxt/forbidden", 0) > 0
    assert "nothing_because" not in report
    line = next(li for li in demo_crawl.stdout.splitlines() if li.strip().startswith(site))
    assert line.split()[1:3] == [str(figures["pages"]), str(figures["articles"])]


def test_replay_has_the_crawls_per_site_articles_and_shares(demo_crawl: CrawlResult, tmp_path: Path) -> None:
    shutil.copytree(demo_crawl.path, tmp_path / "demo")
    proc = run_newsarchive("replay", "demo", "--root", str(tmp_path), "--collection", "again")
    assert proc.returncode == 0, proc.stderr
    crawled = demo_crawl.reports()[0]["sites"]
    replayed = CrawlResult(tmp_path, "again", 0, proc.stdout, proc.stderr).reports()[0]["sites"]
    for site, figures in crawled.items():
        for name in ("articles", "missing", "mean_text_length", "duplicates", "not_articles"):
            assert replayed[site][name] == figures[name], (site, name)
    assert "per site" in proc.stdout


def home(*paths: str) -> bytes:
    return ("<html><body>" + "".join('<a href="%s">%s</a> ' % (p, p) for p in paths) + "</body></html>").encode()


def serve(body: bytes, **kwargs: object):
    def route(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(body, extra=[(b"Connection", b"close")], **kwargs))  # type: ignore[arg-type]
    return route


def bylined(title: str, rotate: int) -> bytes:
    return article(title, rotate).replace(b"</head>", b"<meta name='author' content='Jane Doe'></head>")


def test_two_sites_and_a_refusing_one(tmp_path: Path) -> None:
    first = {"/": serve(home("/a1", "/a2", "/error", "/slow", "/gone")), "/a1": serve(bylined("Quay shops reopen", 1)),
             "/a2": serve(article("Boats broke moorings", 2))}
    second = {"/": serve(home("/b1", "/private/x")), "/b1": serve(ARTICLE),
              "/robots.txt": serve(b"User-agent: *\nDisallow: /private/\n", content_type=b"text/plain")}
    closed = "http://127.0.0.1:%d/" % free_port()
    with HostileServer(first) as one, HostileServer(second) as two:
        proc = run_newsarchive("crawl", one.url, two.url, closed, "--root", str(tmp_path), "--collection", "two",
                               "--allow-private", "--no-requisites", "-s", "RETRY_TIMES=0",
                               "-s", "DOWNLOAD_TIMEOUT=2", "-s", "DISCOVERY_PROBE=false")
        result = CrawlResult(tmp_path, "two", proc.returncode, proc.stdout, proc.stderr)
    assert result.returncode == 0, result.stderr
    report = result.reports()[0]
    sites = report["sites"]
    a, b, refusing = site_of(one.url), site_of(two.url), site_of(closed)
    assert set(sites) == {a, b, refusing}
    assert sites[a]["articles"] == 2 and sites[b]["articles"] == 1
    assert sites[a]["missing"]["authors"] == 0.5 and sites[b]["missing"]["authors"] == 1.0
    assert sites[a]["errors"] == {"http_5xx": 1, "timeout": 1}
    assert sites[a]["skipped"] == {"status-404": 1}
    assert sites[a]["pages"] == 5 and sites[b]["pages"] == 2  # the 500 and 404 are pages fetched
    assert sites[b]["skipped"] == {"robots": 1}
    assert sites[refusing] == {**sites[refusing], "pages": 0, "articles": 0, "errors": {"refused": 1}}
    assert_agrees(result, report)
    assert dict(warc_pages(result.path)) == {a: 5, b: 2}
    lines = result.stdout.splitlines()
    table = lines[lines.index("  per site") + 2:][:3]
    assert [li.split()[0] for li in table] == [a, b, refusing]  # most pages first
    assert "(refused: 1)" in table[2]


def test_a_recrawl_that_finds_nothing_new_says_it_knows_it_all(demo_recrawl: CrawlResult, demo_site) -> None:
    report = demo_recrawl.reports()[-1]
    assert report["articles"] == 0
    known = report["stats"]["discovery/known_article"]
    assert report["nothing_because"].startswith("%d links to articles the collection already holds" % known)
    figures = report["sites"][site_of(demo_site.url)]
    assert figures["articles"] == 0 and figures["pages"] > 0
    assert figures["missing"] == dict.fromkeys(MISSING_FIELDS) and figures["mean_text_length"] is None
    assert "  nothing written   %s" % report["nothing_because"] in demo_recrawl.stdout


def test_feed_all_older_than_since_names_why_nothing(tmp_path: Path) -> None:
    entries = "".join("<item><title>Old %d</title><link>/old/%d</link><pubDate>Mon, 06 Jan 2020 10:00:00 GMT"
                      "</pubDate></item>" % (n, n) for n in range(7))
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><link>/</link>%s</channel></rss>"
            % entries).encode()
    with HostileServer({"/feed.xml": serve(feed, content_type=b"application/rss+xml")}) as server:
        result = crawl(server.url + "feed.xml", tmp_path, "old", "--since", "24h", "--no-requisites",
                       "-s", "DISCOVERY_PROBE=false")
        assert server.requested("/old/1") == 0
    assert result.returncode == 0, result.stderr
    report = result.reports()[0]
    assert report["articles"] == 0
    assert report["nothing_because"] == "7 feed or sitemap entries older than --since"
    assert report["sites"][site_of(server.url)]["pages"] == 1
    assert "  nothing written   7 feed or sitemap entries older than --since" in result.stdout.splitlines()


def test_robots_forbidding_everything_names_why_nothing(tmp_path: Path) -> None:
    routes = {"/robots.txt": serve(b"User-agent: *\nDisallow: /\n", content_type=b"text/plain")}
    with HostileServer(routes) as server:
        result = crawl(server.url, tmp_path, "forbidden", "--no-requisites")
        assert server.requested("/") == 0
    report = result.reports()[0]
    assert "requests forbidden by robots.txt" in report["nothing_because"]
    figures = report["sites"][site_of(server.url)]
    assert figures["pages"] == 0 and figures["skipped"]["robots"] == report["stats"]["robotstxt/forbidden"] >= 1
    assert "nothing written" in result.stdout


def test_an_items_path_that_is_a_device_is_not_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """/dev/zero never ends: read as a file of lines it took all memory (the disk-full test's
    items file is a symlink to /dev/full, which reads as endless zeros)."""
    link = tmp_path / "r1.jsonl"
    link.symlink_to("/dev/zero")
    assert list(read_items(str(link))) == []
    assert "not a regular file" in caplog.text


def test_an_overlong_line_is_skipped_and_the_next_read(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.site_figures as module
    monkeypatch.setattr(module, "MAX_ITEM_LINE", 100)
    path = tmp_path / "r1.jsonl"
    path.write_text('{"url": "%s"}\n{"url": "http://a.example/2"}\n' % ("x" * 500))
    assert [i["url"] for i in read_items(str(path))] == ["http://a.example/2"]
    assert "line 1: longer than 100 bytes" in caplog.text
