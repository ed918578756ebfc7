"""archive/reader.py: responses back out of WARC files, ours or anyone's, damaged or not."""
from __future__ import annotations

import gzip as gzip_module
import io
import itertools
import logging
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.exceptions import WarcFormatError
from archive.reader import ReadReport, find_warc_files, iter_responses, read_record_at
from archive.warc import HttpExchange, WarcWriter

GZIP_PARAMS = pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
VERSION_PARAMS = pytest.mark.parametrize("version", ["1.0", "1.1"])

PLAIN_HTML = "<html><body>Grüße aus Zürich</body></html>".encode("utf-8")
ZIPPED_HTML = b"<html><body>" + b"sent compressed " * 30 + b"</body></html>"


def write_foreign(path: Path, version: str, gzip: bool) -> None:
    """A WARC as another crawler would write it, with warcio's own writer."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip, warc_version=version)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "other-crawler"}))
        response = writer.create_warc_record(
            "http://foreign.example/plain", "response",
            payload=io.BytesIO(PLAIN_HTML), length=len(PLAIN_HTML),
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", 'text/html; charset="utf-8"'), ("X-Thing", "1")],
                protocol="HTTP/1.1"),
        )
        request = writer.create_warc_record(
            "http://foreign.example/plain", "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders("GET /plain HTTP/1.1", [("Host", "foreign.example")],
                                          is_http_request=True),
        )
        writer.write_request_response_pair(request, response)
        writer.write_record(writer.create_warc_record(
            "http://foreign.example/note.txt", "resource", payload=io.BytesIO(b"a resource"),
            length=10, warc_content_type="text/plain"))
        writer.write_record(writer.create_warc_record(
            "http://foreign.example/plain", "metadata", payload=io.BytesIO(b"via: test\r\n"),
            length=11))
        wire = gzip_module.compress(ZIPPED_HTML, mtime=0)
        writer.write_record(writer.create_warc_record(
            "http://foreign.example/zipped", "response", payload=io.BytesIO(wire), length=len(wire),
            http_headers=StatusAndHeaders(
                "404 Not Found", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(wire)))],
                protocol="HTTP/1.1"),
        ))


def warcio_places(path: Path) -> dict[str, tuple[int, int]]:
    """Record id -> (offset, length) as warcio (and so cdxj-indexer) sees them."""
    places = {}
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            rid = record.rec_headers.get_header("WARC-Record-ID")
            places[rid] = (records.get_record_offset(), records.get_record_length())
    return places


def our_warc(
    directory: Path, gzip: bool, count: int = 3, **kwargs: object
) -> tuple[list, list[str]]:
    ids = itertools.count(1)
    writer = WarcWriter(
        str(directory), prefix="ours", host="h", gzip=gzip,
        clock=lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        make_id=lambda: "<urn:uuid:00000000-0000-0000-0000-%012d>" % next(ids), **kwargs)
    locations = [
        writer.write_exchange(HttpExchange(
            url="http://ours.example/%d" % i,
            request_head=b"GET /%d HTTP/1.1\r\nHost: ours.example\r\n\r\n" % i,
            response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            body=b"<p>page %d</p>" % i * 20))
        for i in range(count)
    ]
    return locations, writer.close()


# -- foreign files -------------------------------------------------------------------------
@GZIP_PARAMS
@VERSION_PARAMS
def test_responses_of_a_foreign_warc_in_file_order(
    tmp_path: Path, gzip: bool, version: str
) -> None:
    path = tmp_path / ("foreign.warc.gz" if gzip else "foreign.warc")
    write_foreign(path, version, gzip)
    report = ReadReport()

    responses = list(iter_responses([str(path)], report))

    assert [(r.url, r.status) for r in responses] == [
        ("http://foreign.example/plain", 200), ("http://foreign.example/zipped", 404)]
    plain, zipped = responses
    assert plain.body == PLAIN_HTML
    assert (plain.content_type, plain.charset) == ("text/html", "utf-8")
    assert plain.header("x-thing") == "1" and plain.header("missing", "d") == "d"
    assert zipped.body == ZIPPED_HTML  # Content-Encoding undone for extraction
    # as stored too, with the coding on it: replay hands undoing it to its extraction workers
    assert gzip_module.decompress(zipped.payload) == ZIPPED_HTML and zipped.codings == ("gzip",)
    assert (plain.payload, plain.codings) == (PLAIN_HTML, ())
    assert zipped.header("Content-Encoding") == "gzip"
    assert (zipped.content_type, zipped.charset) == ("text/html", None)
    # the resource, metadata, request and warcinfo records are read past, not returned
    assert (report.files, report.records, report.problems) == (1, 6, [])

    places = warcio_places(path)
    for response in responses:
        assert response.location.filename == path.name
        location = response.location
        assert (location.offset, location.length) == places[location.record_id]
        assert response.date == response.location.date
        assert response.date.startswith(datetime.now(timezone.utc).strftime("%Y-"))
        assert response.location.payload_digest.startswith("sha1:")


@GZIP_PARAMS
def test_read_record_at_returns_what_an_items_warc_pointer_names(
    tmp_path: Path, gzip: bool
) -> None:
    path = tmp_path / ("foreign.warc.gz" if gzip else "foreign.warc")
    write_foreign(path, "1.1", gzip)
    for response in iter_responses([str(path)]):
        again = read_record_at(str(path), response.location.offset)
        assert (again.url, again.status, again.body) == (
            response.url, response.status, response.body)
        assert again.location == response.location


def test_read_record_at_a_wrong_offset_names_file_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "foreign.warc"
    write_foreign(path, "1.1", False)
    with pytest.raises(WarcFormatError) as caught:
        read_record_at(str(path), 7)
    assert (caught.value.filename, caught.value.offset) == (str(path), 7)
    assert str(path) in str(caught.value) and "offset 7" in str(caught.value)


# -- our own files ---------------------------------------------------------------------------
@GZIP_PARAMS
def test_our_writer_and_reader_agree_on_every_location(tmp_path: Path, gzip: bool) -> None:
    locations, paths = our_warc(tmp_path / "archive", gzip, count=5, max_size=1500)
    assert len(paths) > 1

    responses = list(iter_responses([str(tmp_path / "archive")]))

    assert [r.url for r in responses] == ["http://ours.example/%d" % i for i in range(5)]
    assert [r.body for r in responses] == [b"<p>page %d</p>" % i * 20 for i in range(5)]
    for response, written in zip(responses, locations, strict=True):
        got = response.location
        assert (got.filename, got.offset, got.record_id, got.date, got.payload_digest) == (
            written.filename, written.offset, written.record_id, written.date,
            written.payload_digest)
        if gzip:  # a gzip member either way; plain files: see warcio_places below
            assert got.length == written.length
        path = tmp_path / "archive" / got.filename
        assert (got.offset, got.length) == warcio_places(path)[got.record_id]


@GZIP_PARAMS
def test_responses_marked_truncated_are_counted_not_replayed(tmp_path: Path, gzip: bool) -> None:
    writer = WarcWriter(str(tmp_path), gzip=gzip)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    for name, truncated in (("whole", None), ("cut", "length"), ("slow", "time"), ("after", None)):
        writer.write_exchange(HttpExchange(
            url="http://ours.example/" + name, request_head=b"GET / HTTP/1.1\r\n\r\n",
            response_head=head, body=b"<p>%s</p>" % name.encode(), truncated=truncated))
    # another crawler's truncated record (Heritrix, Common Crawl mark big bodies so)
    with open(tmp_path / "foreign.warc", "wb") as fh:
        foreign = WARCWriter(fh, gzip=False)
        foreign.write_record(foreign.create_warc_record(
            "http://foreign.example/big", "response", payload=io.BytesIO(b"<p>the st"), length=9,
            warc_headers_dict={"WARC-Truncated": "length"},
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")))
    writer.close()
    report = ReadReport()

    responses = list(iter_responses([str(tmp_path)], report))

    assert [r.url for r in responses] == ["http://ours.example/whole", "http://ours.example/after"]
    assert report.skipped == {"truncated record": 3}
    assert report.records == 10  # read past, not lost: our warcinfo, 4 responses, 4 requests; 1 foreign


def test_find_warc_files_walks_directories_in_name_order(tmp_path: Path) -> None:
    for name in ["b.warc.gz", "a.warc", "c.arc.gz", "notes.txt", "x.warc.gz.open", "sub/z.warc"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    single = tmp_path / "elsewhere.bin"

    found = find_warc_files([str(tmp_path), str(single)])

    # a file named on its own is taken as it is; a file still open is not
    assert found == [
        str(tmp_path / n) for n in ["a.warc", "b.warc.gz", "c.arc.gz", "sub/z.warc"]
    ] + [str(single)]


# -- damaged files -----------------------------------------------------------------------------
def _cuts(path: Path, locations: list) -> dict[str, int]:
    last = locations[-1]
    return {
        "in the warc head": last.offset + 12,
        "in the http head": last.offset + (40 if path.suffix == ".gz" else 300),
        "in the body": last.offset + last.length - 30,
    }


@GZIP_PARAMS
@pytest.mark.parametrize("where", ["in the warc head", "in the http head", "in the body"])
def test_truncated_file_keeps_complete_records_and_reports_the_cut(
    tmp_path: Path, gzip: bool, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    locations, (path,) = our_warc(tmp_path / "archive", gzip, count=3)
    data = Path(path).read_bytes()
    cut = _cuts(Path(path), locations)[where]
    broken = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    broken.write_bytes(data[:cut])
    report = ReadReport()

    with caplog.at_level(logging.WARNING, logger="archive.response_iterator"):
        responses = list(iter_responses([str(broken)], report))

    # the cut record is not handed on with a short body: only the whole ones are
    assert [(r.url, r.body) for r in responses] == [
        ("http://ours.example/%d" % i, b"<p>page %d</p>" % i * 20) for i in range(2)]
    (problem,) = report.problems
    assert isinstance(problem, WarcFormatError)
    assert problem.filename == str(broken)
    assert problem.offset == locations[2].offset  # where the damaged record starts
    assert str(broken) in str(problem) and "offset %d" % locations[2].offset in str(problem)
    assert str(broken) in caplog.text


@GZIP_PARAMS
def test_file_cut_between_records_is_read_whole(tmp_path: Path, gzip: bool) -> None:
    locations, (path,) = our_warc(tmp_path / "archive", gzip, count=3)
    data = Path(path).read_bytes()
    # up to the end of the second exchange's request record: a clean cut
    end = locations[2].offset
    whole = tmp_path / ("clean.warc.gz" if gzip else "clean.warc")
    whole.write_bytes(data[:end])
    report = ReadReport()
    assert [r.url for r in iter_responses([str(whole)], report)] == [
        "http://ours.example/0", "http://ours.example/1"]
    assert report.problems == []


GARBAGE = {
    "fake-gzip": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 2,
    # five words a line: warcio takes such lines for ARC headers
    "html": b"<html>not a warc at all</html>\n" * 10,
    "cut-warc-head": b"WARC/1.1\r\nWARC-Ty",
    "blank-lines": b"\r\n\r\n\n\n hello",
    **{"random-%d" % seed: random.Random(seed).randbytes(600) for seed in range(40)},
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_is_reported_and_never_raises(tmp_path: Path, name: str) -> None:
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(GARBAGE[name])
    _locations, (good,) = our_warc(tmp_path / "archive", True, count=1)
    report = ReadReport()

    responses = list(iter_responses([str(bad), good], report))

    # reading goes on with the next file
    assert [r.url for r in responses] == ["http://ours.example/0"]
    (problem,) = report.problems
    assert problem.filename == str(bad) and problem.offset == 0
    assert report.files == 2


def test_garbage_after_good_records_is_reported_at_its_offset(tmp_path: Path) -> None:
    locations, (path,) = our_warc(tmp_path / "archive", True, count=2)
    data = Path(path).read_bytes()
    broken = tmp_path / "tail.warc.gz"
    broken.write_bytes(data + b"this is not gzip at all" * 10)
    report = ReadReport()
    assert [r.url for r in iter_responses([str(broken)], report)] == [
        "http://ours.example/0", "http://ours.example/1"]
    (problem,) = report.problems
    assert problem.offset == len(data)


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = ReadReport()
    assert list(iter_responses([str(tmp_path / "gone.warc.gz")], report)) == []
    (problem,) = report.problems
    assert problem.filename == str(tmp_path / "gone.warc.gz")


# -- damaged records: each named where it is, and reading goes on after it ------------------------
def _record(fields: list[tuple[str, str]], block: bytes, length: str | None = None) -> bytes:
    head = "WARC/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in fields)
    head += "Content-Length: %s\r\n" % (len(block) if length is None else length)
    return head.encode("latin-1") + b"\r\n" + block + b"\r\n\r\n"


def _response_fields(n: int, drop: str = "") -> list[tuple[str, str]]:
    fields = [("WARC-Type", "response"), ("WARC-Target-URI", "http://d.example/%d" % n),
              ("WARC-Date", "2024-05-06T07:08:0%dZ" % n),
              ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-%012d>" % n),
              ("Content-Type", "application/http;msgtype=response")]
    return [(k, v) for k, v in fields if k != drop]


HTTP_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"


def _good(n: int) -> bytes:
    return _record(_response_fields(n), HTTP_OK + b"<p>page %d</p>" % n)


DAMAGED_RECORDS = {  # name: (the record between two good ones, what the problem says)
    "no-target-uri": (_record(_response_fields(9, "WARC-Target-URI"), HTTP_OK + b"<p>lost</p>"),
                      "response record without WARC-Target-URI"),
    "no-date": (_record(_response_fields(9, "WARC-Date"), HTTP_OK + b"<p>lost</p>"),
                "response record without WARC-Date"),
    "content-length-not-a-number": (_record(_response_fields(9), HTTP_OK + b"<p>lost</p>", "12x"),
                                    "bad Content-Length"),
    "content-length-negative": (_record(_response_fields(9), HTTP_OK + b"<p>lost</p>", "-5"),
                                "bad Content-Length"),
    "content-length-past-the-end": (_record(_response_fields(9), HTTP_OK + b"<p>lost</p>", "99999999"),
                                    "cut short"),
    "garbage-header-block": (b"WARC/1.1\r\n" + bytes(range(1, 256)).replace(b"\n", b"") + b"\r\n\r\n<p>x</p>\r\n\r\n",
                             "without Content-Length"),
    "broken-http-status": (_record(_response_fields(9), b"HTTP/1.1 2x0 OK\r\nContent-Type: text/html\r\n\r\n<p>"),
                           "broken HTTP head ('HTTP/1.1 2x0 OK')"),
    "no-http-head-at-all": (_record(_response_fields(9), b"\x00\x01\x02 binary junk\r\n\r\n<p>x</p>"),
                            "broken HTTP head"),
}


@GZIP_PARAMS
@pytest.mark.parametrize("case", list(DAMAGED_RECORDS))
def test_a_damaged_record_is_named_and_the_records_after_it_are_read(
    tmp_path: Path, gzip: bool, case: str
) -> None:
    bad, what = DAMAGED_RECORDS[case]
    records = [_good(1), bad, _good(2)]
    pieces = [gzip_module.compress(r, mtime=0) for r in records] if gzip else records
    path = tmp_path / ("damaged.warc.gz" if gzip else "damaged.warc")
    path.write_bytes(b"".join(pieces))
    report = ReadReport()

    responses = list(iter_responses([str(path)], report))

    assert [(r.url, r.status, r.body) for r in responses] == [
        ("http://d.example/1", 200, b"<p>page 1</p>"), ("http://d.example/2", 200, b"<p>page 2</p>")]
    (problem,) = report.problems
    assert (problem.filename, problem.offset) == (str(path), len(pieces[0]))
    assert what in problem.problem


def test_junk_lines_among_good_warc_fields_are_passed_over(tmp_path: Path) -> None:
    fields = _response_fields(1)
    fields[2:2] = [("\x01\x02junk", "\xff\xfe"), ("no colon here and more", "")]
    record = _record(fields, HTTP_OK + b"<p>page 1</p>").replace(b"no colon here and more: \r\n",
                                                                   b"no colon here and more\r\n")
    path = tmp_path / "junk.warc"
    path.write_bytes(record + _good(2))
    report = ReadReport()
    assert [r.url for r in iter_responses([str(path)], report)] == ["http://d.example/1", "http://d.example/2"]
    assert report.problems == []


def test_a_corrupt_gzip_member_loses_only_itself(tmp_path: Path) -> None:
    noise = [random.Random(n).randbytes(200).hex().encode() for n in (1, 2, 3)]  # so that deflate keeps it long
    members = [gzip_module.compress(_record(_response_fields(n), HTTP_OK + noise[n - 1]), mtime=0) for n in (1, 2, 3)]
    middle = bytearray(members[1])
    middle[len(middle) // 2] ^= 0xFF  # inside its deflate data
    path = tmp_path / "flipped.warc.gz"
    path.write_bytes(members[0] + bytes(middle) + members[2])
    report = ReadReport()

    urls = [r.url for r in iter_responses([str(path)], report)]

    assert urls == ["http://d.example/1", "http://d.example/3"]
    (problem,) = report.problems
    assert problem.offset == len(members[0]) and "gzip member corrupt" in problem.problem


def test_garbage_between_gzip_members_is_named_and_skipped(tmp_path: Path) -> None:
    first, second = (gzip_module.compress(_good(n), mtime=0) for n in (1, 2))
    path = tmp_path / "gap.warc.gz"
    path.write_bytes(first + b"\x00" * 37 + second)
    report = ReadReport()
    assert [r.url for r in iter_responses([str(path)], report)] == ["http://d.example/1", "http://d.example/2"]
    (problem,) = report.problems
    assert (problem.offset, problem.problem) == (len(first), "37 bytes that are no gzip member")


def test_a_gzip_file_whose_first_member_is_damaged_goes_on_with_the_next(tmp_path: Path) -> None:
    first, second = (gzip_module.compress(_good(n), mtime=0) for n in (1, 2))
    path = tmp_path / "head.warc.gz"
    path.write_bytes(b"\x00\x00" + first[2:] + second)  # the gzip magic of the first is gone
    report = ReadReport()
    assert [r.url for r in iter_responses([str(path)], report)] == ["http://d.example/2"]
    (problem,) = report.problems
    assert problem.offset == 0


@GZIP_PARAMS
def test_a_payload_past_the_bound_is_counted_and_not_held(tmp_path: Path, gzip: bool) -> None:
    big = _record(_response_fields(5), HTTP_OK + b"<p>" + b"x" * 5000 + b"</p>")
    records = [_good(1), big, _good(2)]
    pieces = [gzip_module.compress(r, mtime=0) for r in records] if gzip else records
    path = tmp_path / ("big.warc.gz" if gzip else "big.warc")
    path.write_bytes(b"".join(pieces))
    report = ReadReport()

    urls = [r.url for r in iter_responses([str(path)], report, max_payload=1000)]

    assert urls == ["http://d.example/1", "http://d.example/2"]
    assert report.skipped == {"payload too big": 1} and report.problems == []
    with pytest.raises(WarcFormatError) as caught:
        read_record_at(str(path), len(pieces[0]), max_payload=1000)
    assert "bigger than 1000 bytes" in str(caught.value)
    assert read_record_at(str(path), len(pieces[0])).url == "http://d.example/5"  # the default bound: 32 MiB
