"""Reading on after a record whose Content-Length is off (plain and gzip files): every later
record is read, as many as `warcio index` and cdxj-indexer find or more, and what is skipped is
named by file, offset and bytes."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from archive.reader import ReadReport, iter_responses
from tests.foreign_warcs import Response, byte_over_and_terminator_under, pack, page, request_cut_short, warcinfo

BIN = Path(sys.executable).parent


def _read(path: Path) -> tuple[list[tuple[str, bytes]], ReadReport]:
    report = ReadReport()
    return [(r.url, r.body) for r in iter_responses([str(path)], report)], report


def _warcio_records(path: Path) -> int:
    done = subprocess.run([str(BIN / "warcio"), "index", str(path)], capture_output=True, text=True)
    return len(done.stdout.splitlines())


def _cdxj_records(path: Path) -> int:
    done = subprocess.run([str(BIN / "cdxj-indexer"), str(path)], capture_output=True, text=True)
    return len([line for line in done.stdout.splitlines() if line and not line.startswith("!")])


def _file(tmp_path: Path, error: int, gzipped: bool) -> tuple[Path, list[int], list[bytes]]:
    records = [warcinfo(0), Response(1).record(), Response(2, length_error=error).record(),
               Response(3).record(), Response(4).record()]
    data, offsets = pack(records, gzipped)
    path = tmp_path / ("lying.warc.gz" if gzipped else "lying.warc")
    path.write_bytes(data)
    return path, offsets, records


ERRORS = [1, 2, 3, 4, 5, 8, 13, 20]  # bytes off: within the blank lines, the next record's first line, its header
ALL_PAGES = [("http://foreign.example/%d" % n, page(n)) for n in (1, 2, 3, 4)]


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("error", ERRORS)
def test_a_content_length_too_long_loses_nothing(tmp_path: Path, error: int, gzipped: bool) -> None:
    path, offsets, _ = _file(tmp_path, error, gzipped)

    responses, report = _read(path)

    assert responses == ALL_PAGES  # the liar's payload too, to its real end
    assert report.problems == []
    (misframed,) = report.misframed
    assert (misframed["file"], misframed["offset"], misframed["uri"]) == (
        str(path), offsets[2], "http://foreign.example/2")
    assert "too long" in str(misframed["problem"]) or "more than the record holds" in str(misframed["problem"])
    assert report.digests == {"match": 4} and report.digest_mismatches == []
    assert report.records >= max(_warcio_records(path), _cdxj_records(path))


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("error", ERRORS)
def test_a_content_length_too_short_skips_only_the_rest_of_that_record(
    tmp_path: Path, error: int, gzipped: bool
) -> None:
    path, offsets, records = _file(tmp_path, -error, gzipped)

    responses, report = _read(path)

    # the liar is read as far as it says (its body short of `error` bytes), the others whole
    assert [url for url, _ in responses] == [url for url, _ in ALL_PAGES]
    assert responses[1][1] == page(2)[:-error]
    assert [responses[i] for i in (0, 2, 3)] == [ALL_PAGES[i] for i in (0, 2, 3)]
    (stretch,) = report.stretches()
    declared_end = len(records[2]) - 4 - error  # where its declared block ends, in the record
    if gzipped:
        assert (stretch["offset"], stretch["uncompressed_offset_in_member"]) == (offsets[2], declared_end)
    else:
        assert stretch["offset"] == offsets[2] + declared_end
    assert (stretch["file"], stretch["bytes"]) == (str(path), error + 4)  # its rest and its blank lines
    (mismatch,) = report.digest_mismatches  # what it says it holds is not what was read
    assert (mismatch["offset"], mismatch["uri"]) == (offsets[2], "http://foreign.example/2")
    assert report.records >= max(_warcio_records(path), _cdxj_records(path))


@pytest.mark.parametrize("pattern", [request_cut_short, byte_over_and_terminator_under])
def test_known_bad_length_patterns_are_read_to_the_end(tmp_path: Path, pattern) -> None:
    records = pattern()
    data, offsets = pack(records, False)
    path = tmp_path / "sample.warc"
    path.write_bytes(data)

    _, report = _read(path)

    assert report.records == len(records) >= max(_warcio_records(path), _cdxj_records(path))
    (stretch,) = report.stretches()  # the few bytes the short record left before the next one
    assert stretch["file"] == str(path) and 0 < int(stretch["bytes"]) <= 8  # type: ignore[call-overload]
    bad = next(i for i in range(len(records)) if offsets[i] < stretch["offset"] < offsets[i] + len(records[i]))
    assert offsets[bad + 1] - int(stretch["offset"]) == stretch["bytes"]  # type: ignore[call-overload]


def test_a_corrupt_gzip_member_is_named_with_its_length_and_the_next_is_read(tmp_path: Path) -> None:
    records = [Response(n).record() for n in (1, 2, 3)]
    members = [gzip.compress(r, mtime=0) for r in records]
    middle = bytearray(members[1])
    middle[len(middle) // 2] ^= 0xFF
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(members[0] + bytes(middle) + members[2])

    responses, report = _read(path)

    assert responses == [ALL_PAGES[0], ALL_PAGES[2]]
    (stretch,) = report.stretches()
    assert (stretch["offset"], stretch["bytes"]) == (len(members[0]), len(middle))
    assert "gzip member corrupt" in str(stretch["problem"])


def test_a_record_swallowing_the_next_whole_is_found_in_its_tail(tmp_path: Path) -> None:
    """Too long by more than the next record's header: that record's start is still in the
    liar's last bytes, so it is read (warcio stops at the first broken record)."""
    records = [Response(1).record(), Response(2, length_error=200).record(), Response(3).record()]
    path = tmp_path / "swallow.warc"
    path.write_bytes(pack(records, False)[0])

    responses, report = _read(path)

    assert [url for url, _ in responses] == [url for url, _ in ALL_PAGES[:3]]
    assert responses[1] == ALL_PAGES[1] and report.misframed
    assert report.records >= _warcio_records(path)
