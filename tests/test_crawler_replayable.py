"""The archive replays anywhere: strict WARC checks, revisits, the CDXJ index, pywb, WACZ."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.wacz import validate_wacz
from crawler.cli import main
from tests.conftest import CrawlResult, crawl, running_wayback, warc_check


def last_line(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.strip().splitlines()[-1]


def test_first_crawl_passes_strict_check_with_replay(demo_crawl: CrawlResult, demo_site, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(demo_site.manifest()))
    proc = warc_check(str(demo_crawl.path / "archive"), "--manifest", str(manifest), "--replay", "--strict")
    assert re.fullmatch(r"warc_check: \d+ records, \d+ responses, 0 failures", last_line(proc)), proc.stdout[-3000:]


def test_recrawl_writes_revisits_that_replay_with_the_original_body(
    demo_recrawl: CrawlResult, demo_site, tmp_path: Path
) -> None:
    second = sorted((demo_recrawl.path / "archive").glob("*.warc.gz"))[-1]
    kinds = []
    with open(second, "rb") as fh:
        for record in ArchiveIterator(fh):
            kinds.append(record.rec_type)
            if record.rec_type == "revisit":
                assert record.rec_headers.get_header("WARC-Profile").endswith(
                    "/revisit/identical-payload-digest")
                assert record.rec_headers.get_header("WARC-Refers-To")
                assert record.rec_headers.get_header("WARC-Refers-To-Target-URI")
                assert record.rec_headers.get_header("WARC-Refers-To-Date")
    assert kinds.count("revisit") >= 3  # home page listings, feed, sitemap… unchanged
    assert "response" not in kinds or kinds.count("revisit") > kinds.count("response")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(demo_site.manifest()))
    proc = warc_check(str(demo_recrawl.path / "archive"), "--manifest", str(manifest), "--replay", "--strict")
    assert last_line(proc).endswith(" 0 failures"), proc.stdout[-3000:]


def test_a_warc_1_0_crawl_claims_conformance_to_1_0_only(demo_site, tmp_path: Path) -> None:
    result = crawl(demo_site.url, tmp_path, "old", "--max-pages", "2", "-s", "ARCHIVE_WARC_VERSION=1.0")
    assert result.returncode == 0, result.stderr[-3000:]
    (path,) = (result.path / "archive").glob("*.warc.gz")
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.protocol, r.content_stream().read()) for r in ArchiveIterator(fh)]
    assert {protocol for _, protocol, _ in records} == {"WARC/1.0"}
    (info,) = [block.decode() for kind, _, block in records if kind == "warcinfo"]
    assert "format: WARC File Format 1.0\r\n" in info
    assert "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n" in info
    assert "warc-1.1" not in info and "Format 1.1" not in info


def test_index_is_sorted_covers_every_capture_and_can_be_rebuilt(demo_recrawl: CrawlResult, capsys) -> None:
    index = demo_recrawl.path / "indexes" / "index.cdxj"
    lines = index.read_text().splitlines()
    assert lines == sorted(lines)
    captures = 0
    for path in (demo_recrawl.path / "archive").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            captures += sum(1 for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit"))
    assert len(lines) == captures
    index.unlink()
    assert main(["index", "demo", "--root", str(demo_recrawl.root)]) == 0
    assert index.read_text().splitlines() == lines
    assert not [p for p in index.parent.iterdir() if p.name != "index.cdxj"]


@pytest.fixture()
def wayback(demo_recrawl: CrawlResult, tmp_path: Path) -> Iterator[str]:
    with running_wayback(demo_recrawl.root, tmp_path) as base:
        yield base


def _body(resp) -> bytes:
    data = resp.read()
    return gzip.decompress(data) if resp.headers.get("Content-Encoding") == "gzip" else data


def test_wayback_replays_the_collection_with_no_further_step(wayback: str, demo_site) -> None:
    manifest = demo_site.manifest()
    urls = [a.url for a in demo_site.articles()[:5]] + [demo_site.url, demo_site.url + "feed.xml"]
    for url in urls:
        with urllib.request.urlopen("%sdemo/2030id_/%s" % (wayback, url), timeout=30) as resp:
            assert resp.status == manifest[url]["status"]
            assert hashlib.sha256(_body(resp)).hexdigest() == manifest[url]["sha256"], url


def test_wacz_package_validates_and_lists_the_articles(demo_crawl: CrawlResult, tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo.wacz"
    assert main(["wacz", "demo", "--root", str(demo_crawl.root), "-o", str(out)]) == 0
    valid, said = validate_wacz(str(out))
    assert valid, said
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        assert {"datapackage.json", "pages/pages.jsonl"} <= names
        assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
        assert any(n.startswith("indexes/") for n in names)
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()]
    items = {i["url"]: i for i in demo_crawl.items()}
    entries = [p for p in pages if "url" in p]
    assert {p["url"] for p in entries} == set(items)
    for page in entries:
        assert page["title"] == items[page["url"]]["title"]
        assert page["text"] == items[page["url"]]["text"]
        assert page["ts"][:19] == items[page["url"]]["fetched_at"][:19]  # py-wacz drops the microseconds
    assert os.path.getsize(out) > 10_000


def test_conditional_recrawl_stores_304s_as_revisits_and_wayback_still_replays_content(
    demo_crawl: CrawlResult, demo_site, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(demo_crawl.path, root / "demo")
    result = crawl(demo_site.url, root, "demo", "--conditional")
    assert result.returncode == 0, result.stderr
    second = sorted((root / "demo" / "archive").glob("*.warc.gz"))[-1]
    not_modified = []
    with open(second, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "revisit" and record.http_headers.get_statuscode() == "304":
                assert record.rec_headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
                assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == \
                    record.rec_headers.get_header("WARC-Target-URI")
                not_modified.append(record.rec_headers.get_header("WARC-Target-URI"))
    assert len(not_modified) >= 10  # home, sections, feed, sitemaps: all unchanged
    report = result.reports()[-1]
    first_bytes = demo_crawl.reports()[0]["archive"]["bytes"]
    assert report["archive"]["bytes"] < first_bytes / 10
    index = (root / "demo" / "indexes" / "index.cdxj").read_text()
    assert '"status": "304"' not in index  # a 304 has nothing to replay
    manifest = demo_site.manifest(requisites=True)  # stylesheets and images come back 304 too
    with running_wayback(root, tmp_path / "wb") as base:
        for url in not_modified[:8]:
            with urllib.request.urlopen("%sdemo/2030id_/%s" % (base, url), timeout=30) as resp:
                assert resp.status == 200
                assert hashlib.sha256(_body(resp)).hexdigest() == manifest[url]["sha256"], url
    check = warc_check(str(root / "demo" / "archive"))
    assert check.stdout.strip().splitlines()[-1].endswith(" 0 failures"), check.stdout[-3000:]
