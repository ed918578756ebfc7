"""Mutated WARCs: the reader never raises and always ends; replay and wacz end in one line, never a traceback.

Our own writer makes a small valid WARC (gzip and plain: responses, requests, a content-encoded
body, a revisit); hypothesis flips, inserts, deletes, truncates and duplicates bytes of it.
"""
from __future__ import annotations

import gzip
import itertools
import json
import random
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.collection import Collection
from archive.exceptions import WarcFormatError
from archive.reader import ReadReport, iter_responses, read_record_at
from archive.warc import HttpExchange, WarcWriter
from crawler.cli import main

ARTICLE = (b"<html><head><title>A harbour story</title></head><body><article><h1>A harbour story</h1>"
           + b"<p>The ferry came back to the harbour after a winter of repairs, and the town was glad.</p>" * 12
           + b"</article></body></html>")


def small_warc(directory: Path, gzip_records: bool) -> Path:
    ids = itertools.count(1)
    writer = WarcWriter(str(directory), prefix="small", host="h", gzip=gzip_records,
                        clock=lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                        make_id=lambda: "<urn:uuid:00000000-0000-4000-8000-%012d>" % next(ids))
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    first = writer.write_exchange(HttpExchange(
        url="http://small.example/a", request_head=b"GET /a HTTP/1.1\r\nHost: small.example\r\n\r\n",
        response_head=head, body=ARTICLE))
    writer.write_exchange(HttpExchange(
        url="http://small.example/z", request_head=b"GET /z HTTP/1.1\r\nHost: small.example\r\n\r\n",
        response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n",
        body=gzip.compress(ARTICLE.replace(b"ferry", b"train"), mtime=0)))
    writer.write_revisit(
        HttpExchange(url="http://small.example/a?again", request_head=b"GET /a?again HTTP/1.1\r\n\r\n",
                     response_head=head),
        payload_digest=first.payload_digest, refers_to_id=first.record_id,
        refers_to_uri="http://small.example/a", refers_to_date=first.date)
    (path,) = writer.close()
    return Path(path)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, bytes]:
    base = tmp_path_factory.mktemp("sources")
    found = {}
    for zipped in (True, False):
        directory = base / ("gzip" if zipped else "plain")
        found[zipped] = small_warc(directory, zipped).read_bytes()
        assert len(list(iter_responses([str(small_warc(base / "again", zipped))]))) == 3
    return found


# -- mutations -------------------------------------------------------------------------------------
position = st.integers(min_value=0, max_value=1 << 20)
MUTATIONS = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(0, 7)),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), position, st.integers(1, 200)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("duplicate"), position, st.integers(1, 400), position),
    st.tuples(st.just("line"), position, st.sampled_from([  # lines a damaged head might hold
        b"WARC/1.1\r\n", b"\r\n\r\n", b"Content-Length: 99999\r\n", b"Content-Length: -3\r\n",
        b"WARC-Type: response\r\n", b"WARC-Target-URI: \r\n", b"\x1f\x8b\x08\x00"])),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    out = bytearray(data)
    for op, at, *rest in mutations:
        at = at % (len(out) + 1)
        if op == "flip" and at < len(out):
            out[at] ^= 1 << rest[0]
        elif op in ("insert", "line"):
            out[at:at] = rest[0]
        elif op == "delete":
            del out[at:at + rest[0]]
        elif op == "truncate":
            del out[at:]
        elif op == "duplicate":
            piece = bytes(out[at:at + rest[0]])
            to = rest[1] % (len(out) + 1)
            out[to:to] = piece
    return bytes(out)


def check_reading(path: Path) -> None:
    """What every reading of any file must hold: it ends, raises nothing, yields well-formed responses."""
    report = ReadReport()
    responses = list(iter_responses([str(path)], report))
    size = path.stat().st_size
    for response in responses:
        assert isinstance(response.url, str) and response.url
        assert isinstance(response.status, int) and 100 <= response.status <= 599
        assert isinstance(response.body, bytes) and isinstance(response.date, str) and response.date
        location = response.location
        assert 0 <= location.offset < size and location.length >= 0
        try:  # what an item's pointer names reads back, or is named as unreadable
            read_record_at(str(path), location.offset, location.record_id or None)
        except WarcFormatError as err:
            assert err.filename == str(path)
    for problem in report.problems:
        assert isinstance(problem, WarcFormatError)
        assert problem.filename == str(path) and 0 <= problem.offset <= size
    assert report.records >= len(responses) - report.revisits


@pytest.mark.parametrize("zipped", [True, False], ids=["gzip", "plain"])
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_reading_a_mutated_warc_never_raises_and_ends(
    tmp_path: Path, sources: dict[bool, bytes], zipped: bool, mutations: list[tuple]
) -> None:
    path = tmp_path / ("mutated.warc.gz" if zipped else "mutated.warc")
    path.write_bytes(mutate(sources[zipped], mutations))
    check_reading(path)


def test_the_unmutated_file_reads_whole(tmp_path: Path, sources: dict[bool, bytes]) -> None:
    for zipped, data in sources.items():
        path = tmp_path / ("whole.warc.gz" if zipped else "whole.warc")
        path.write_bytes(data)
        report = ReadReport()
        assert [r.url for r in iter_responses([str(path)], report)] == [
            "http://small.example/a", "http://small.example/z", "http://small.example/a?again"]
        assert report.problems == []


# -- the commands on mutated files -----------------------------------------------------------------
def mutated_files(sources: dict[bool, bytes], count: int) -> list[tuple[str, bytes]]:
    """`count` mutated files of each kind, the same every run (a seed each)."""
    files = []
    for zipped, data in sources.items():
        for seed in range(count):
            rng = random.Random(seed)
            mutations = [(rng.choice(["flip", "delete", "insert", "duplicate"]), rng.randrange(len(data)),
                          rng.randrange(1, 8), rng.randrange(len(data)))
                         for _ in range(rng.randint(1, 3))]
            mutations = [(op, at, n % 8, to) if op == "flip" else
                         (op, at, rng.randbytes(n), to) if op == "insert" else (op, at, n * 10, to)
                         for op, at, n, to in mutations]
            files.append(("m%d.warc%s" % (seed, ".gz" if zipped else ""), mutate(data, mutations)))
    return files


def test_replay_of_mutated_warcs_ends_in_a_line_never_a_traceback(
    tmp_path: Path, sources: dict[bool, bytes], capfd: pytest.CaptureFixture[str]
) -> None:
    for name, data in mutated_files(sources, 4):
        path = tmp_path / name
        path.write_bytes(data)
        code = main(["replay", str(path), "--root", str(tmp_path / "root"), "--collection", name.split(".")[0]])
        _out, err = capfd.readouterr()
        assert code in (0, 1), (name, err)
        assert "Traceback" not in err, (name, err)


def test_wacz_of_mutated_warcs_ends_in_a_line_never_a_traceback(
    tmp_path: Path, sources: dict[bool, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    for name, data in mutated_files(sources, 4):
        root = tmp_path / name.replace(".", "-")
        collection = Collection.create(str(root), "c")
        (Path(collection.archive_dir) / name).write_bytes(data)
        code = main(["wacz", "c", "--root", str(root), "-o", str(root / "c.wacz")])
        _out, err = capsys.readouterr()
        assert code in (0, 1), (name, err)
        assert "Traceback" not in err, (name, err)
        if code == 1:  # unreadable spots left out, and said so in one line
            assert len([line for line in err.splitlines() if line.startswith("newsarchive wacz:")]) == 1


def test_wacz_packs_the_readable_records_of_a_damaged_warc_and_names_the_spot(
    tmp_path: Path, sources: dict[bool, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    collection = Collection.create(str(tmp_path), "c")
    good = sources[False]
    damaged = good.replace(b"WARC-Target-URI: http://small.example/z", b"WARC-Target-URX: http://small.example/z", 1)
    spot = damaged.index(b"WARC-Target-URX") - damaged[:damaged.index(b"WARC-Target-URX")][::-1].index(
        b"/CRAW") - len(b"WARC/")
    (Path(collection.archive_dir) / "damaged.warc").write_bytes(damaged)

    code = main(["wacz", "c", "--root", str(tmp_path), "-o", str(tmp_path / "c.wacz")])

    _out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert ("newsarchive wacz: left 1 unreadable spots of the WARC files out, the first: %s at offset %d:"
            " response record without WARC-Target-URI" % (Path(collection.archive_dir) / "damaged.warc", spot)) in err
    with zipfile.ZipFile(tmp_path / "c.wacz") as wacz:
        index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode()
        packed = wacz.read("archive/damaged.warc")
    assert "small.example/a" in index and "small.example/z" not in index
    assert len(packed) < len(damaged) and b"http://small.example/a?again" in packed


JUNK_LINES = ['{"url": 5}', "{}", "[1,2]", '{"url": "x", "fetched_at": {}}', '{"url": "http://small.example/a",'
              ' "title": ["not", "text"]}', '"just a string"', "null"]


def test_wacz_skips_junk_item_lines_as_export_does_and_names_the_first(
    tmp_path: Path, sources: dict[bool, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    collection = Collection.create(str(tmp_path), "c")
    (Path(collection.archive_dir) / "small.warc.gz").write_bytes(sources[True])
    good = {"url": "http://small.example/a", "fetched_at": "2024-01-02T03:04:05Z", "title": "A harbour story",
            "text": "The ferry came back."}
    items = Path(collection.path) / "items" / "run1.jsonl"
    items.parent.mkdir(exist_ok=True)
    first_junk = len(json.dumps(good)) + 1
    items.write_text(json.dumps(good) + "\n" + "\n".join(JUNK_LINES) + "\n")

    code = main(["wacz", "c", "--root", str(tmp_path), "-o", str(tmp_path / "c.wacz")])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ("newsarchive wacz: skipped %d item lines that are no JSON item (torn by a crash?), the first in"
                   " %s at byte %d\n" % (len(JUNK_LINES), items, first_junk))
    assert "1 article pages" in out
    with zipfile.ZipFile(tmp_path / "c.wacz") as wacz:
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()[1:]]
    assert [(p["url"], p["ts"], p["title"]) for p in pages] == [
        ("http://small.example/a", "2024-01-02T03:04:05Z", "A harbour story")]
    # export skips the same lines, and says so the same way
    assert main(["export", "c", "--root", str(tmp_path), "-o", str(tmp_path / "c.jsonl")]) == 0
    assert "skipped %d item lines" % len(JUNK_LINES) in capsys.readouterr().err
    assert [json.loads(line)["url"] for line in (tmp_path / "c.jsonl").read_text().splitlines()] == [good["url"]]
