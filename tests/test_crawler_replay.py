"""`newsarchive replay`: WARCs (ours or anyone's) -> the same items, offline."""
from __future__ import annotations

import io
import json
import shutil
import urllib.request
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.cli import main
from tests.conftest import CrawlResult


def read_items(collection: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((collection / "items").glob("*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]


def test_replay_rebuilds_the_crawl_items_field_for_field(
    demo_crawl: CrawlResult, tmp_path: Path, capsys
) -> None:
    code = main(["replay", str(demo_crawl.path / "archive"), "--root", str(tmp_path),
                 "--collection", "again"])
    assert code == 0, capsys.readouterr().err
    replayed = read_items(tmp_path / "again")
    crawled = demo_crawl.items()
    assert len(replayed) == len(crawled) >= 30
    for before, after in zip(crawled, replayed, strict=True):
        assert {k: v for k, v in before.items() if k != "run"} == {
            k: v for k, v in after.items() if k != "run"}
        assert after["run"] != before["run"]
    report = json.loads(next((tmp_path / "again" / "runs").glob("*.json")).read_text())
    assert report["kind"] == "replay" and report["articles"] == len(replayed)


def test_replay_accepts_a_collection_name(demo_crawl: CrawlResult, tmp_path: Path, capsys) -> None:
    root = tmp_path / "root"
    shutil.copytree(demo_crawl.path, root / "demo")
    assert main(["replay", "demo", "--root", str(root), "--collection", "fresh"]) == 0
    assert len(read_items(root / "fresh")) == len(demo_crawl.items())
    # replaying into the collection it came from finds every article already there
    assert main(["replay", "demo", "--root", str(root), "--collection", "demo"]) == 0
    assert "articles written  0" in capsys.readouterr().out


def _fetch(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    with urllib.request.urlopen(url) as resp:
        return resp.status, list(resp.getheaders()), resp.read()


def test_replay_reads_a_warc_written_by_warcio_itself(demo_site, tmp_path: Path) -> None:
    article = demo_site.articles()[0]
    status, headers, body = _fetch(article.url)
    headers = [(k, v) for k, v in headers if k.lower() not in ("transfer-encoding", "content-encoding")]
    path = tmp_path / "foreign.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("foreign.warc.gz", {"software": "test"}))
        http = StatusAndHeaders("%d OK" % status, headers, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            article.url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http))
        writer.write_record(writer.create_warc_record(
            "urn:test:note", "resource", payload=io.BytesIO(b"just a note"), length=11,
            warc_content_type="text/plain"))
    assert main(["replay", str(path), "--root", str(tmp_path), "--collection", "foreign"]) == 0
    (item,) = read_items(tmp_path / "foreign")
    assert item["url"] == article.url
    assert item["title"] == article.title
    assert item["warc"]["filename"] == "foreign.warc.gz"


def test_corrupt_warc_keeps_readable_records_and_reports_the_spot(
    demo_crawl: CrawlResult, tmp_path: Path, capsys
) -> None:
    source = max((demo_crawl.path / "archive").glob("*.warc.gz"), key=lambda p: p.stat().st_size)
    data = source.read_bytes()
    broken = tmp_path / "broken.warc.gz"
    # cut inside the middle article's record: page requisites come last in the file, below pages
    offsets = sorted(i["warc"]["offset"] for i in demo_crawl.items() if i["warc"]["filename"] == source.name)
    cut = offsets[len(offsets) // 2] + 10
    broken.write_bytes(data[:cut] + b"this is not gzip at all" * 10)
    code = main(["replay", str(broken), "--root", str(tmp_path), "--collection", "partial"])
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.warc.gz" in err and "offset" in err
    assert "Traceback" not in err
    items = read_items(tmp_path / "partial")
    assert 0 < len(items) < len(demo_crawl.items())


def test_replay_of_a_missing_source_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code = main(["replay", str(tmp_path / "nope.warc.gz"), "--root", str(tmp_path), "--collection", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.warc.gz" in err and len(err.strip().splitlines()) == 1
