"""After a conditional recrawl the WACZ and the collection index replay each URL's last full capture.

The second crawl's 304 answers are archived as server-not-modified revisits; an index that lists them
makes one the latest capture of its URL, and ReplayWeb.page (or pywb) then shows a blank page."""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.wacz import validate_wacz
from crawler.cli import main
from tests.conftest import CrawlResult, crawl, running_wayback

Capture = tuple[str, dict]  # (timestamp, CDXJ fields)


@pytest.fixture(scope="module")
def conditional_recrawl(demo_crawl: CrawlResult, demo_site, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """A copy of the demo collection crawled again with conditional requests: listings answer 304."""
    root = tmp_path_factory.mktemp("conditional")
    shutil.copytree(demo_crawl.path, root / demo_crawl.collection)
    result = crawl(demo_site.url, root, demo_crawl.collection, "--conditional")
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def wacz_file(conditional_recrawl: CrawlResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "demo.wacz"
    assert main(["wacz", "demo", "--root", str(conditional_recrawl.root), "-o", str(out)]) == 0
    return out


def _captures(lines: list[str]) -> dict[str, list[Capture]]:
    """Each URL's captures in a CDXJ index, oldest first."""
    by_url: dict[str, list[Capture]] = defaultdict(list)
    for line in lines:
        if line.strip() and not line.startswith("!"):
            _urlkey, ts, fields = line.split(" ", 2)
            entry = json.loads(fields)
            by_url[entry["url"]].append((ts, entry))
    return {url: sorted(found, key=lambda capture: capture[0]) for url, found in by_url.items()}


def _is_not_modified(entry: dict) -> bool:
    return entry.get("mime") == "warc/revisit" and entry.get("status") == "304"


def _revisits(fh) -> tuple[list[str], list[str]]:
    """The target URIs of a WARC's (server-not-modified, identical-payload) revisit records."""
    not_modified, identical = [], []
    for record in ArchiveIterator(fh):
        if record.rec_type == "revisit":
            url = record.rec_headers.get_header("WARC-Target-URI")
            (not_modified if record.http_headers.get_statuscode() == "304" else identical).append(url)
    return not_modified, identical


def _wacz_index(wacz: zipfile.ZipFile) -> list[str]:
    (name,) = [n for n in wacz.namelist() if n.startswith("indexes/") and n.endswith((".cdx.gz", ".cdxj"))]
    data = wacz.read(name)
    return (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8").splitlines()


def _assert_last_capture_is_full(captures: dict[str, list[Capture]], not_modified: set[str], manifest: dict) -> None:
    assert not_modified <= set(captures)  # each still has its full capture from the first crawl
    for url, found in captures.items():
        _ts, latest = found[-1]
        assert not _is_not_modified(latest), url
        if url in manifest:
            assert latest["status"] == str(manifest[url]["status"]), url
    for url in not_modified:
        _ts, latest = captures[url][-1]
        assert latest["status"] == "200" and latest["mime"] != "warc/revisit", url


def test_wacz_index_leaves_the_304_revisits_out_and_its_warcs_keep_them(
    conditional_recrawl: CrawlResult, wacz_file: Path, demo_site
) -> None:
    in_collection: tuple[list[str], list[str]] = ([], [])
    for path in sorted((conditional_recrawl.path / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            found = _revisits(fh)
        in_collection[0].extend(found[0])
        in_collection[1].extend(found[1])
    assert len(in_collection[0]) >= 10  # home, sections, feed, sitemaps: all unchanged, answered 304
    valid, said = validate_wacz(str(wacz_file))
    assert valid, said
    in_wacz: tuple[list[str], list[str]] = ([], [])
    with zipfile.ZipFile(wacz_file) as wacz:
        for name in wacz.namelist():
            if name.startswith("archive/"):
                with wacz.open(name) as fh:
                    found = _revisits(fh)
                in_wacz[0].extend(found[0])
                in_wacz[1].extend(found[1])
        lines = _wacz_index(wacz)
    assert sorted(in_wacz[0]) == sorted(in_collection[0])  # the WARCs go in whole, 304 revisits and all
    assert sorted(in_wacz[1]) == sorted(in_collection[1])
    captures = _captures(lines)
    assert not [line for line in lines if '"status": "304"' in line]
    _assert_last_capture_is_full(captures, set(in_collection[0]), demo_site.manifest())
    # an identical-payload revisit (200, same payload) replays fine: it stays indexed
    assert in_collection[1]  # (the demo's robots.txt is not asked conditionally)
    revisited = [entry for found in captures.values() for _ts, entry in found if entry["mime"] == "warc/revisit"]
    assert len(revisited) == len(in_collection[1])


def test_pywb_replays_the_home_page_whole_from_the_wacz_index(
    wacz_file: Path, demo_site, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    manager = Path(sys.executable).with_name("wb-manager")
    for argv in (["init", "fromwacz"], ["add", "--unpack-wacz", "fromwacz", str(wacz_file)]):
        proc = subprocess.run([str(manager), *argv], cwd=site, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
    manifest = demo_site.manifest()
    with running_wayback(site / "collections", tmp_path / "wb") as base:
        with urllib.request.urlopen("%sfromwacz/2030id_/%s" % (base, demo_site.url), timeout=30) as resp:
            assert resp.status == 200
            data = resp.read()
            body = gzip.decompress(data) if resp.headers.get("Content-Encoding") == "gzip" else data
    assert hashlib.sha256(body).hexdigest() == manifest[demo_site.url]["sha256"]
    assert b"</html>" in body.lower()


def test_the_crawl_and_a_reindex_leave_the_304_revisits_out(conditional_recrawl: CrawlResult, demo_site,
                                                            capsys) -> None:
    index = conditional_recrawl.path / "indexes" / "index.cdxj"
    not_modified: list[str] = []
    for path in (conditional_recrawl.path / "archive").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            not_modified.extend(_revisits(fh)[0])
    assert not_modified
    left_by_the_crawl = index.read_text("utf-8")
    assert main(["index", "demo", "--root", str(conditional_recrawl.root)]) == 0
    for text in (left_by_the_crawl, index.read_text("utf-8")):
        lines = text.splitlines()
        assert lines == sorted(lines)
        assert not [line for line in lines if '"status": "304"' in line]
        _assert_last_capture_is_full(_captures(lines), set(not_modified), demo_site.manifest())
