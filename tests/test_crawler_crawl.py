"""End-to-end: `newsarchive crawl` of the demo site, checked the way a user would check it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.store import Store
from pipelines.process import ITEM_FIELDS
from tests.conftest import CrawlResult, crawl, warc_check

BOILERPLATE = (
    "Please enter your comment", "Please enter your name", "LEAVE A REPLY", "Most Popular",
    "Recent Comments", "Advertisement", "Advertisment", "Share on Facebook", "Tweet",
)


def warc_records(collection: Path) -> list[tuple[str, str, int, dict]]:
    """(type, target URI, status, {header: value}) of every record in the collection's WARCs."""
    found = []
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                status = int(record.http_headers.get_statuscode()) if (
                    record.rec_type == "response" and record.http_headers) else 0
                headers = dict(record.http_headers.headers) if record.http_headers else {}
                found.append((record.rec_type, uri, status, headers))
    return found


def responses(collection: Path) -> dict[str, int]:
    return {uri: status for kind, uri, status, _ in warc_records(collection) if kind == "response"}


def test_demo_crawl_prints_a_summary_with_next_steps(demo_crawl: CrawlResult) -> None:
    out = demo_crawl.stdout
    for label in ("pages fetched", "articles written", "duplicates", "errors", "WARC files",
                  "items", "next:", "newsarchive export", "newsarchive replay", "wayback"):
        assert label in out
    written = int(re.search(r"articles written\s+(\d+)", out).group(1))
    assert written == len(demo_crawl.items())


def test_every_article_becomes_exactly_one_item(demo_crawl: CrawlResult, demo_site) -> None:
    urls = [item["url"] for item in demo_crawl.items()]
    expected = {article.url for article in demo_site.articles()}
    assert len(urls) == len(set(urls))
    assert set(urls) == expected
    assert len(expected) >= 30


def test_non_article_pages_give_no_items(demo_crawl: CrawlResult, demo_site) -> None:
    urls = {item["url"] for item in demo_crawl.items()}
    assert not urls & set(demo_site.non_article_urls())


def test_items_carry_the_design_fields_and_clean_metadata(demo_crawl: CrawlResult, demo_site) -> None:
    by_url = {a.url: a for a in demo_site.articles()}
    run = demo_crawl.reports()[0]["run"]
    for item in demo_crawl.items():
        assert list(item) == list(ITEM_FIELDS)
        article = by_url[item["url"]]
        assert item["title"] == article.title
        assert item["authors"] == list(article.authors)
        assert item["published"][:10] == article.published[:10]
        assert item["language"] == "en"
        assert item["site_name"]
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", item["content_hash"])
        assert re.fullmatch(r"[0-9a-f]{16}", item["simhash"])
        assert item["word_count"] == len(item["text"].split())
        assert item["run"] == run
        assert item["extractor"]["name"] == "newsarchive"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", item["fetched_at"])


def test_text_is_clean_with_names_inside_their_sentences(demo_crawl: CrawlResult, demo_site) -> None:
    by_url = {a.url: a for a in demo_site.articles()}
    checked_names = 0
    for item in demo_crawl.items():
        text = item["text"]
        for phrase in BOILERPLATE:
            assert phrase not in text, (item["url"], phrase)
        paragraphs = text.split("\n\n")
        assert all(p.strip() and "\n" not in p for p in paragraphs), item["url"]
        for name in by_url[item["url"]].inline_names:
            line = next(p for p in paragraphs if name in p)
            assert line.strip() != name, "name %r stands on a line of its own" % name
            checked_names += 1
    assert checked_names >= 10


def test_items_point_at_their_warc_response_record(demo_crawl: CrawlResult) -> None:
    for item in demo_crawl.items():
        pointer = item["warc"]
        path = demo_crawl.path / "archive" / pointer["filename"]
        with open(path, "rb") as fh:
            fh.seek(pointer["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == (item["fetched_url"] or item["url"])
            assert record.rec_headers.get_header("WARC-Date") == item["fetched_at"]
        with open(path, "rb") as fh:  # the length covers exactly one gzip member
            fh.seek(pointer["offset"] + pointer["length"])
            nxt = next(iter(ArchiveIterator(fh)))
            assert nxt.rec_type == "request"


def test_warc_files_pass_the_independent_checker_with_replay(
    demo_crawl: CrawlResult, demo_site, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(demo_site.manifest()))
    result = warc_check(str(demo_crawl.path / "archive"), "--manifest", str(manifest), "--replay")
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"warc_check: \d+ records, \d+ responses, 0 failures", last), result.stdout[-3000:]


def test_warc_files_are_closed_named_and_open_with_warcinfo(demo_crawl: CrawlResult) -> None:
    archive = demo_crawl.path / "archive"
    assert not list(archive.glob("*.open"))
    files = sorted(archive.glob("*.warc.gz"))
    assert files
    for path in files:
        # yyyyMMddHHmmssSSS (UTC): the 17 digits of Heritrix and the WARC annex
        assert re.fullmatch(r"newsarchive-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz", path.name)
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"


def test_everything_the_downloader_got_is_archived(demo_crawl: CrawlResult, demo_site) -> None:
    got = responses(demo_crawl.path)
    assert got[demo_site.url + "robots.txt"] == 200
    assert got[demo_site.redirect_url()] == 301
    assert got[demo_site.missing_url()] == 404
    for url, expected in demo_site.manifest().items():
        assert got.get(url) == expected["status"], url


def test_robots_disallowed_pages_are_never_fetched(demo_crawl: CrawlResult, demo_site) -> None:
    got = responses(demo_crawl.path)
    private = demo_site.private_urls()
    assert private
    assert not set(private) & set(got)


def test_tracking_parameters_never_make_a_new_url(demo_crawl: CrawlResult) -> None:
    uris = [uri for kind, uri, _, _ in warc_records(demo_crawl.path) if kind == "response"]
    assert not [u for u in uris if re.search(r"[?&](utm_|fbclid)", u)]
    assert len(uris) == len(set(uris)), "a URL was fetched twice"


def test_gzip_responses_are_stored_compressed_under_their_content_encoding(demo_crawl: CrawlResult) -> None:
    gzipped = 0
    for path in sorted((demo_crawl.path / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                if record.http_headers.get_header("Content-Encoding") == "gzip":
                    assert record.raw_stream.read(2) == b"\x1f\x8b"
                    gzipped += 1
    assert gzipped >= 1


def test_latin1_article_is_decoded_right(demo_crawl: CrawlResult, demo_site) -> None:
    latin = [a for a in demo_site.articles() if a.encoding.lower() in ("iso-8859-1", "latin-1")]
    assert latin
    items = {i["url"]: i for i in demo_crawl.items()}
    for article in latin:
        item = items[article.url]
        assert item["title"] == article.title
        assert "\ufffd" not in item["text"]
        assert any(ch in item["text"] for ch in "üéèàç")


def test_a_second_url_of_the_same_article_becomes_an_alias(demo_crawl: CrawlResult, demo_site) -> None:
    got = set(responses(demo_crawl.path))
    with Store(str(demo_crawl.path / "state" / "store.sqlite")) as store:
        aliased = 0
        for article in demo_site.articles():
            for other in article.alternate_urls:
                if "utm_" in other or "fbclid" in other:
                    continue
                if other in got:  # fetched under another URL: must be known as this article
                    assert store.alias_target(other) == article.url, other
                    aliased += 1
        assert aliased >= 1


def test_run_report_says_what_the_run_did(demo_crawl: CrawlResult) -> None:
    (report,) = demo_crawl.reports()
    assert report["kind"] == "crawl"
    assert report["articles"] == len(demo_crawl.items())
    assert report["responses"] == sum(report["responses_by_status"].values())
    assert report["responses_by_status"]["200"] > 30
    assert report["requests"] >= report["responses"]
    assert sum(report["duplicates"].values()) >= 1
    assert report["errors"] == {"fetch": 0, "extract": 0, "logged": 0}
    assert report["archive"]["bytes"] == sum(
        (demo_crawl.path / "archive" / f["name"]).stat().st_size for f in report["archive"]["files"])
    assert report["duration_s"] > 0
    assert {"scrapy", "trafilatura", "warcio", "python"} <= set(report["versions"])


def test_second_crawl_writes_no_new_items_and_skips_known_articles(
    demo_recrawl: CrawlResult, demo_crawl: CrawlResult
) -> None:
    first, second = demo_recrawl.reports()
    assert second["articles"] == 0
    assert demo_recrawl.items(run=second["run"]) == []
    assert second["requests"] < first["requests"] / 2  # known articles are not fetched again
    assert "articles written  0" in demo_recrawl.stdout


def test_private_addresses_are_refused_without_allow_private(demo_site, tmp_path: Path) -> None:
    from tests.conftest import run_newsarchive
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(tmp_path), "--collection", "p")
    assert proc.returncode == 1
    assert "--allow-private" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "p" / "items").glob("*.jsonl"))


def test_warc_files_rotate_at_archive_max_size(demo_site, tmp_path: Path) -> None:
    result = crawl(demo_site.url, tmp_path, "small", "-s", "ARCHIVE_MAX_SIZE=40000")
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "small" / "archive").glob("*.warc.gz"))
    assert len(files) >= 3
    assert all(f.stat().st_size <= 40000 + 20000 for f in files)  # one exchange may overshoot
    check = warc_check(str(tmp_path / "small" / "archive"))
    assert check.stdout.strip().splitlines()[-1].endswith(" 0 failures"), check.stdout[-2000:]


def test_max_pages_bounds_the_crawl(demo_site, tmp_path: Path) -> None:
    result = crawl(demo_site.url, tmp_path, "few", "--max-pages", "5")
    assert result.returncode == 0, result.stderr
    (report,) = result.reports()
    fetched = [u for u in responses(tmp_path / "few") if not u.endswith("/robots.txt")]
    requisites = report["requisites"]["archived"]  # the pages' stylesheets and images: not pages
    assert requisites >= 1
    assert 1 <= len(fetched) - requisites <= 5 + 1  # a redirect hop may add one
    assert report["articles"] <= 5


@pytest.mark.parametrize("bad", ["not a url", "ftp://example.org/"])
def test_bad_seed_is_a_usage_error(bad: str, tmp_path: Path) -> None:
    from tests.conftest import run_newsarchive
    proc = run_newsarchive("crawl", bad, "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "bad seed URL" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
