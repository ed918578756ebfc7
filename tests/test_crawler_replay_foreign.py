"""`newsarchive replay` of WARCs other tools wrote (the samples of test_archive_foreign.py)."""
from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from archive.reader import iter_responses
from crawler.cli import main
from tests.test_archive_foreign import (
    FERRY,
    FOOTBRIDGE,
    SAMPLES,
    Sample,
    chunked,
    http_head,
    pack,
    request_record,
    response_record,
    rid,
    warcinfo,
    write_sample,
)

# what each tool writes, and the same records as one gzip stream
SHAPES = [("wget", "gzip-per-record"), ("warcio", "gzip-per-record"),
          ("heritrix", "gzip-per-record"), ("browsertrix", "gzip-per-record"),
          ("odd", "plain"), ("odd", "gzip-pairs")]
SHAPES += [(shape, "gzip-stream") for shape in SAMPLES]


def run_replay(
    path: Path, root: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, list[dict]]:
    code = main(["replay", str(path), "--root", str(root), "--collection", "x"])
    err = capsys.readouterr().err
    items = [json.loads(line) for f in sorted((root / "x" / "items").glob("*.jsonl"))
             for line in f.read_text().splitlines() if line.strip()]
    return code, err, items


def exported_aliases(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, list[str]]:
    out = tmp_path / "export.jsonl"
    assert main(["export", "x", "--root", str(root), "-o", str(out), "--with-aliases"]) == 0
    capsys.readouterr()
    return {item["url"]: item["aliases"] for item in map(json.loads, out.read_text().splitlines())}


@pytest.mark.parametrize("shape, packing", SHAPES)
def test_replay_of_a_foreign_warc_gives_its_articles(
    tmp_path: Path, shape: str, packing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sample: Sample = SAMPLES[shape]()
    path, _places = write_sample(tmp_path, sample, packing)
    root = tmp_path / "root"

    code, err, items = run_replay(path, root, capsys)

    assert code == 0, err
    assert "Traceback" not in err and "unreadable" not in err
    assert [(i["url"], i["title"]) for i in items] == [(a.url, a.title) for a in sample.articles]
    responses = {(r.url, r.record_type): r for r in iter_responses([str(path)])}
    for item, article in zip(items, sample.articles, strict=True):
        assert item["text"] == "\n\n".join(article.paragraphs)  # de-chunked, decoded, right charset
        assert item["authors"] == [article.author]
        capture = responses[(article.url, "response")]
        assert item["warc"] == capture.location.to_dict()
        assert item["fetched_at"] == capture.date
    # a revisit under another URL, or a redirect to the article, makes that URL an alias
    aliases = exported_aliases(root, tmp_path, capsys)
    for alias, target in sample.aliases.items():
        assert alias in aliases[target]
    (report,) = [json.loads(p.read_text()) for p in (root / "x" / "runs").glob("*.json")]
    assert report["responses"] == len(sample.expected)
    assert report["problems"] == []


# -- damaged files ---------------------------------------------------------------------------------
def two_articles() -> list[bytes]:
    """A warcinfo, the footbridge story, then the ferry story (chunk-framed) and its request."""
    v = "1.1"
    bridge = FOOTBRIDGE.body()
    ferry = FERRY.body()
    return [
        warcinfo(v, 1, "test", "two.warc"),
        response_record(v, 2, FOOTBRIDGE.url, "2024-06-09T19:00:00Z",
                        http_head("HTTP/1.1 200 OK",
                                  [("Content-Type", "text/html; charset=utf-8")]),
                        bridge),
        request_record(v, 3, FERRY.url, "2024-06-09T19:00:01Z", rid(4)),
        response_record(v, 4, FERRY.url, "2024-06-09T19:00:01Z",
                        http_head("HTTP/1.1 200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                      ("Transfer-Encoding", "chunked")]),
                        chunked(ferry)),
    ]


def compressed_offset(data: bytes, member: int, uncompressed: int) -> int:
    """The first file offset at which the gzip member at `member` has given `uncompressed` bytes."""
    unzip = zlib.decompressobj(31)
    out = 0
    for pos in range(member, len(data), 16):
        out += len(unzip.decompress(data[pos:pos + 16]))
        if out >= uncompressed:
            return pos + 16
    raise AssertionError("the member is shorter")


@pytest.mark.parametrize("packing", ["plain", "gzip-stream", "gzip-pairs"])
def test_replay_of_a_file_cut_inside_the_last_article(
    tmp_path: Path, packing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = two_articles()
    data, places = pack(records, packing)
    # halfway into the ferry story's record (in a gzip file: where its member gets there)
    if packing == "plain":
        cut = places[3].offset + len(records[3]) // 2
    else:
        before = records[:3] if packing == "gzip-stream" else records[2:3]  # in the member
        in_member = sum(len(r) for r in before)
        cut = compressed_offset(data, places[3].offset, in_member + len(records[3]) // 2)
    path = tmp_path / ("two.warc" if packing == "plain" else "two.warc.gz")
    path.write_bytes(data[:cut])

    code, err, items = run_replay(path, tmp_path / "root", capsys)

    assert code == 1
    assert [i["url"] for i in items] == [FOOTBRIDGE.url]  # what was readable is kept
    (line,) = [line for line in err.splitlines() if "unreadable WARC data" in line]
    assert str(path) in line and "offset %d" % places[3].offset in line
    assert "cut short" in line and "Traceback" not in err
