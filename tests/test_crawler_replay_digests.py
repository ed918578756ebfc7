"""Replay checks every response's and resource's WARC-Payload-Digest as it reads: mismatches are
named (file, offset, URI) in the run report and the log, the record is replayed all the same;
`warcio check` agrees with the verdicts; our own crawls have no mismatch."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.reader import ReadReport, iter_responses
from crawler.cli import main
from tests.conftest import CrawlResult
from tests.foreign_warcs import Response, pack, page, resource, sha1_b32, spelled

BIN = Path(sys.executable).parent
TEXT = b"a plain text resource\n" * 40

# name: (the record, our verdict, whether `warcio check` fails the file)
CASES = {
    "sha1-base32": (Response(1).record(), "match", False),
    "sha256-base16": (Response(3, digest=spelled("sha256", page(3), "b16")).record(), "match", False),
    "sha256-base32": (Response(4, digest=spelled("sha256", page(4), "b32")).record(), "match", False),
    "sha512-base64": (Response(5, digest=spelled("sha512", page(5), "b64")).record(), "match", False),
    "chunked-digested-as-sent": (Response(7, chunked=True, digest_of_stored=True).record(), "match", False),
    "no-digest": (Response(8, digest=None).record(), None, False),
    "resource-sha1": (resource(9, TEXT, sha1_b32(TEXT)), "match", False),
    "sha1-wrong": (Response(10, digest="wrong").record(), "mismatch", True),
    "sha256-wrong": (Response(11, digest=spelled("sha256", b"other", "b16")).record(), "mismatch", True),
    "resource-wrong": (resource(12, TEXT, sha1_b32(TEXT[1:])), "mismatch", True),
}
# where we and warcio check part ways, on purpose:
DIVERGING = {
    # WARC 1.1 digests the entity body; warcio digests the bytes as stored, chunk framing and all
    "chunked-digested-de-chunked": (Response(13, chunked=True).record(), "match", True),
    # base32 is case-free (RFC 4648 decoders take both); warcio compares it case by case
    "sha1-base32-lower-case": (Response(2, digest=spelled("sha1", page(2), "b32lower")).record(), "match", True),
    # an md5 in base16 is as long as one in padded base32: warcio takes it for base32
    "md5-base16-upper": (Response(6, digest=spelled("md5", page(6), "b16upper")).record(), "match", True),
    # warcio fails an algorithm it does not know; we cannot say the payload is wrong: unchecked
    "unknown-algorithm": (Response(14, digest="whirl9000:ABCDEFGH").record(), "unchecked", True),
}


def _verdicts(path: Path) -> tuple[list[str | None], ReadReport]:
    report = ReadReport()
    list(iter_responses([str(path)], report))
    outcome = [k for k, v in report.digests.items() if v] or [None]
    return outcome, report


def _warcio_check_fails(path: Path) -> bool:
    done = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 1


@pytest.mark.parametrize("case", list(CASES) + list(DIVERGING))
def test_each_digest_spelling_gets_its_verdict(tmp_path: Path, case: str) -> None:
    record, verdict, warcio_fails = {**CASES, **DIVERGING}[case]
    path = tmp_path / (case + ".warc")
    path.write_bytes(record)

    outcome, report = _verdicts(path)

    key = verdict or "absent"
    assert report.digests == {key: 1}, report.digests
    if verdict == "mismatch":
        (named,) = report.digest_mismatches
        assert (named["file"], named["offset"]) == (str(path), 0) and str(named["uri"]).startswith(
            ("http://foreign.example/", "file:///foreign/"))
    else:
        assert report.digest_mismatches == []
    assert _warcio_check_fails(path) == warcio_fails
    if case in CASES:  # warcio check passes a file exactly when we find no mismatch in it
        assert warcio_fails == (verdict == "mismatch")


def test_replay_names_mismatches_in_its_run_report_log_and_summary_and_replays_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [Response(1).record(), Response(2, digest="wrong").record(), Response(3).record(),
               Response(4, digest="whirl9000:ABCDEFGH").record()]
    data, offsets = pack(records, True)
    path = tmp_path / "foreign.warc.gz"
    path.write_bytes(data)
    log = tmp_path / "replay.log"

    code = main(["replay", str(path), "--root", str(tmp_path / "root"), "--collection", "digests",
                 "--log-file", str(log)])

    assert code == 0  # nothing unreadable: the mismatch is named, not a failure to read
    report = json.loads(next((tmp_path / "root" / "digests" / "runs").glob("*.json")).read_text())
    assert report["responses"] == 4  # the mismatching record is replayed all the same
    read = report["read"]
    assert read["payload_digests"] == {"match": 2, "mismatch": 1, "unchecked": 1}
    assert [(m["file"], m["offset"], m["uri"]) for m in read["digest_mismatches"]] == [
        (str(path), offsets[1], "http://foreign.example/2")]
    assert read["digests_unchecked"] == {"unknown digest algorithm 'whirl9000'": 1}
    assert read["skipped_stretches"] == [] and read["misframed_records"] == []
    assert "at offset %d: the payload of http://foreign.example/2 does not match" % offsets[1] in log.read_text()
    out = capsys.readouterr().out
    assert "payload digests   3 checked: 2 match, 1 MISMATCH" in out
    assert out.index("unreadable data") < out.index("payload digests") < out.index("articles written")


def test_replay_names_skipped_stretches_with_their_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [Response(1).record(), Response(2, length_error=-7).record(), Response(3).record()]
    data, offsets = pack(records, False)
    path = tmp_path / "short.warc"
    path.write_bytes(data)

    code = main(["replay", str(path), "--root", str(tmp_path / "root"), "--collection", "short"])

    assert code == 1  # unreadable data was skipped
    read = json.loads(next((tmp_path / "root" / "short" / "runs").glob("*.json")).read_text())["read"]
    (stretch,) = read["skipped_stretches"]
    assert (stretch["file"], stretch["offset"], stretch["bytes"]) == (
        str(path), offsets[2] - 4 - 7, 11)
    assert read["skipped_bytes"] == 11
    assert "bytes skipped     11  (in 1 unreadable stretch(es)" in capsys.readouterr().out


def test_our_own_crawl_has_no_mismatch(demo_crawl: CrawlResult) -> None:
    report = ReadReport()
    responses = list(iter_responses([str(demo_crawl.path / "archive")], report))
    assert len(responses) >= 30
    assert report.digest_mismatches == [] and report.problems == [] and report.misframed == []
    assert report.digests["match"] >= 30 and not report.digests["unchecked"]
