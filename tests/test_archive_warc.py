"""archive/warc.py: what lands in the WARC files, byte for byte (fixed ids and dates)."""
from __future__ import annotations

import base64
import gzip as gzip_module
import hashlib
import io
import itertools
import os
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.collection import Collection
from archive.exceptions import ArchiveError
from archive.index import indexed_files, rebuild_index
from archive.repair import repair_directory
from archive.warc import OPEN_SUFFIX, HttpExchange, RecordLocation, WarcWriter, file_stamp, format_fields
from tests.conftest import warc_check

FIXED_DATE = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
STAMP = "20240506070809123"  # yyyyMMddHHmmssSSS, as Heritrix and the WARC annex name files

REQUEST_HEAD = b"GET /news/1?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n"
RESPONSE_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 11\r\n\r\n")
BODY = b"<p>Hi!</p>\n"

GZIP_PARAMS = pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])


def fixed_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: "<urn:uuid:00000000-0000-4000-8000-%012d>" % next(counter)


def make_writer(directory: Path, gzip: bool, **kwargs: object) -> WarcWriter:
    options: dict[str, object] = dict(
        prefix="test", host="crawler-1", gzip=gzip, clock=lambda: FIXED_DATE, make_id=fixed_ids(),
        info={"software": "newsarchive-test", "operator": ""},
    )
    options.update(kwargs)
    return WarcWriter(str(directory), **options)  # type: ignore[arg-type]


def exchange(url: str = "http://example.com/news/1?x=1", **kwargs: object) -> HttpExchange:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    fields: dict[str, object] = dict(
        request_head=b"GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: test\r\n\r\n"
        % (target.encode(), parts.netloc.encode()),
        response_head=RESPONSE_HEAD, body=BODY, ip_address="93.184.216.34", protocol="HTTP/1.1",
    )
    fields.update(kwargs)
    return HttpExchange(url=url, **fields)  # type: ignore[arg-type]


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed content of each gzip member, in order."""
    members = []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append(inflater.decompress(data) + inflater.flush())
        assert inflater.eof, "file ends inside a gzip member"
        data = inflater.unused_data
    return members


def plain_bytes(path: Path | str) -> bytes:
    data = Path(path).read_bytes()
    return b"".join(gzip_members(data)) if str(path).endswith(".gz") else data


def records_of(path: Path | str) -> list:
    """(type, warc headers, parsed http head or None, stored payload) of every record, by warcio."""
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            out.append((record.rec_type, dict(record.rec_headers.headers), record.http_headers,
                        record.raw_stream.read()))
    return out


def expected_file(filename: str) -> bytes:
    """The whole file for one exchange, checked by hand.

    The digests were recomputed with hashlib (sha1, base32) over the blocks and payloads shown:
    warcinfo block, BODY, RESPONSE_HEAD + BODY, b"" and REQUEST_HEAD.
    """
    return (
        b"WARC/1.1\r\n"
        b"WARC-Type: warcinfo\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
        b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
        b"WARC-Filename: " + filename.encode() + b"\r\n"
        b"WARC-Block-Digest: sha1:JAKCMICWD73ZVBJ5GZWM3PMMH4USLFXU\r\n"
        b"Content-Type: application/warc-fields\r\n"
        b"Content-Length: 28\r\n"
        b"\r\n"
        b"software: newsarchive-test\r\n"
        b"\r\n\r\n"
        b"WARC/1.1\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
        b"WARC-Target-URI: http://example.com/news/1?x=1\r\n"
        b"WARC-IP-Address: 93.184.216.34\r\n"
        b"WARC-Protocol: http/1.1\r\n"
        b"WARC-Payload-Digest: sha1:POQ42OQAIHAJZVOVQ5O6L2QMNVCFV4TM\r\n"
        b"WARC-Block-Digest: sha1:5K4ZUJI645YQZ6NV7MKHGEUBYGAPMGPG\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 90\r\n"
        b"\r\n"
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: 11\r\n"
        b"\r\n"
        b"<p>Hi!</p>\n"
        b"\r\n\r\n"
        b"WARC/1.1\r\n"
        b"WARC-Type: request\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
        b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
        b"WARC-Target-URI: http://example.com/news/1?x=1\r\n"
        b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-IP-Address: 93.184.216.34\r\n"
        b"WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
        b"WARC-Block-Digest: sha1:T3FHDKQQEOOOKH7P2SPPUWG6XEAEK2MH\r\n"
        b"Content-Type: application/http; msgtype=request\r\n"
        b"Content-Length: 65\r\n"
        b"\r\n"
        b"GET /news/1?x=1 HTTP/1.1\r\n"
        b"Host: example.com\r\n"
        b"User-Agent: test\r\n"
        b"\r\n"
        b"\r\n\r\n"
    )


# -- golden bytes ----------------------------------------------------------------------------
@GZIP_PARAMS
def test_one_exchange_gives_exactly_the_golden_file(tmp_path: Path, gzip: bool) -> None:
    writer = make_writer(tmp_path, gzip)
    location = writer.write_exchange(exchange())
    (path,) = writer.close()

    name = "test-%s-00001-crawler-1.warc%s" % (STAMP, ".gz" if gzip else "")
    assert os.listdir(tmp_path) == [name]
    assert path == str(tmp_path / name)
    expected = expected_file(name)
    data = (tmp_path / name).read_bytes()
    if gzip:
        members = gzip_members(data)
        # one gzip member per record, so that a record can be read back from its offset
        assert [m.split(b"\r\n")[1] for m in members] == [
            b"WARC-Type: warcinfo", b"WARC-Type: response", b"WARC-Type: request"]
        assert b"".join(members) == expected
    else:
        assert data == expected
    spans = member_spans(data) if gzip else [
        (expected.index(b"WARC/1.1\r\nWARC-Type: %s" % t), 0) for t in (b"response", b"request")]
    offset = spans[1][0] if gzip else spans[0][0]
    # plain: the record without its closing CRLFCRLF, as warcio and CDXJ count it
    length = spans[1][1] if gzip else spans[1][0] - spans[0][0] - 4
    assert location == RecordLocation(
        filename=name,
        offset=offset,
        length=length,
        record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>",
        date="2024-05-06T07:08:09.123456Z",
        payload_digest="sha1:POQ42OQAIHAJZVOVQ5O6L2QMNVCFV4TM",
    )
    assert location.to_dict() == {"filename": name, "offset": offset, "length": length,
                                  "record_id": "<urn:uuid:00000000-0000-4000-8000-000000000001>"}


def member_spans(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each gzip member in the compressed file."""
    spans, offset = [], 0
    while offset < len(data):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(data[offset:])
        length = len(data) - offset - len(inflater.unused_data)
        spans.append((offset, length))
        offset += length
    return spans


@GZIP_PARAMS
def test_raw_heads_are_stored_byte_for_byte(tmp_path: Path, gzip: bool) -> None:
    head = (
        b"HTTP/1.1 404 Not Found Here\r\n"
        b"content-TYPE: text/html\r\n"
        b"X-City: Z\xfcrich\r\n"
        b"Set-Cookie: a=1; Path=/\r\n"
        b"X-Between: 1\r\n"
        b"Set-Cookie: b=2\r\n"
        b"\r\n"
    )
    writer = make_writer(tmp_path, gzip)
    writer.write_exchange(exchange(response_head=head, body=b"gone"))
    (path,) = writer.close()

    data = plain_bytes(path)
    assert head + b"gone\r\n\r\n" in data
    assert b"Z%C3%BC" not in data and b"Z\xc3\xbcrich" not in data
    (_info, response, _request) = records_of(path)
    http = response[2]
    assert (http.protocol, http.statusline) == ("HTTP/1.1", "404 Not Found Here")
    assert http.headers == [
        ("content-TYPE", "text/html"), ("X-City", "Z\u00fcrich"), ("Set-Cookie", "a=1; Path=/"),
        ("X-Between", "1"), ("Set-Cookie", "b=2")]
    assert response[3] == b"gone"


@GZIP_PARAMS
def test_payload_digest_is_over_the_body_as_stored(tmp_path: Path, gzip: bool) -> None:
    html = b"<html><body>" + b"compressed on the wire " * 20 + b"</body></html>"
    wire = gzip_module.compress(html, mtime=0)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n" \
           b"Content-Length: %d\r\n\r\n" % len(wire)
    writer = make_writer(tmp_path, gzip)
    location = writer.write_exchange(exchange(response_head=head, body=wire))
    (path,) = writer.close()

    (_info, response, _request) = records_of(path)
    assert response[3] == wire  # stored compressed, as received
    assert response[1]["WARC-Payload-Digest"] == sha1_b32(wire) == location.payload_digest
    assert response[1]["WARC-Block-Digest"] == sha1_b32(head + wire)
    assert location.payload_digest != sha1_b32(html)


def test_warc_1_0_records_have_no_protocol_field_and_second_dates(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, False, warc_version="1.0")
    location = writer.write_exchange(exchange())
    (path,) = writer.close()

    data = Path(path).read_bytes()
    assert data.count(b"WARC/1.0\r\n") == 3 and b"WARC/1.1" not in data
    assert b"WARC-Protocol" not in data  # a WARC/1.1 field
    # WARC/1.0 dates are W3C-ISO8601 to the second
    assert data.count(b"WARC-Date: 2024-05-06T07:08:09Z\r\n") == 3
    assert location.date == "2024-05-06T07:08:09Z"


def test_unknown_warc_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="WARC/2.0"):
        make_writer(tmp_path, True, warc_version="2.0")


def test_exchange_date_wins_over_the_clock_and_is_stored_in_utc(tmp_path: Path) -> None:
    from datetime import timedelta

    arrived = datetime(2023, 12, 31, 23, 30, 0, 5, tzinfo=timezone(timedelta(hours=-2)))
    writer = make_writer(tmp_path, True)
    location = writer.write_exchange(exchange(date=arrived))
    (path,) = writer.close()
    (info, response, request) = records_of(path)
    assert location.date == response[1]["WARC-Date"] == request[1]["WARC-Date"] \
        == "2024-01-01T01:30:00.000005Z"
    assert info[1]["WARC-Date"] == "2024-05-06T07:08:09.123456Z"  # the file was opened now


@GZIP_PARAMS
@pytest.mark.parametrize("reason", ["length", "time"])
def test_truncated_capture_is_marked(tmp_path: Path, gzip: bool, reason: str) -> None:
    cut_head = RESPONSE_HEAD.replace(b"Content-Length", b"X-Archive-Orig-Content-Length")
    writer = make_writer(tmp_path, gzip)
    writer.write_exchange(exchange(body=b"<p>H", response_head=cut_head, truncated=reason))
    (path,) = writer.close()
    (_info, response, request) = records_of(path)
    assert response[1]["WARC-Truncated"] == reason
    assert "WARC-Truncated" not in request[1]
    # the digests are those of what is stored: the 4 bytes received, not the 11 announced
    block = cut_head + b"<p>H"
    start = plain_bytes(path).index(b"WARC/1.1\r\nWARC-Type: response")
    assert plain_bytes(path)[start:].startswith(
        b"WARC/1.1\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
        b"WARC-Target-URI: http://example.com/news/1?x=1\r\n"
        b"WARC-IP-Address: 93.184.216.34\r\n"
        b"WARC-Protocol: http/1.1\r\n"
        b"WARC-Truncated: " + reason.encode() + b"\r\n"
        b"WARC-Payload-Digest: " + sha1_b32(b"<p>H").encode() + b"\r\n"
        b"WARC-Block-Digest: " + sha1_b32(block).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n"
        b"\r\n" % len(block) + block + b"\r\n\r\n")


# -- files: .open while written, rotation, locations -----------------------------------------
@GZIP_PARAMS
def test_file_is_open_suffixed_until_closed(tmp_path: Path, gzip: bool) -> None:
    writer = make_writer(tmp_path, gzip)
    assert os.listdir(tmp_path) == []  # nothing until the first record
    writer.write_exchange(exchange())
    final = "test-%s-00001-crawler-1.warc%s" % (STAMP, ".gz" if gzip else "")
    assert os.listdir(tmp_path) == [final + OPEN_SUFFIX]
    assert writer.current_path == str(tmp_path / final)
    # every record is flushed at once: a reader sees the exchange while the file is open
    (_info, response, request) = records_of(tmp_path / (final + OPEN_SUFFIX))
    assert (response[0], request[0]) == ("response", "request")

    assert writer.close() == [str(tmp_path / final)]
    assert os.listdir(tmp_path) == [final]
    assert writer.current_path is None
    assert writer.close() == [str(tmp_path / final)]  # a second close changes nothing


def test_context_manager_closes_the_file(tmp_path: Path) -> None:
    with make_writer(tmp_path, True) as writer:
        writer.write_exchange(exchange())
    assert [n.endswith(".warc.gz") for n in os.listdir(tmp_path)] == [True]


def test_writer_never_clobbers_an_existing_file(tmp_path: Path) -> None:
    first = make_writer(tmp_path, True)
    first.write_exchange(exchange("http://example.com/first"))
    (kept,) = first.close()
    before = Path(kept).read_bytes()
    (tmp_path / ("test-%s-00002-crawler-1.warc.gz.open" % STAMP)).write_bytes(b"left by a crash")

    second = make_writer(tmp_path, True)  # same clock and serial: it would pick the same name
    second.write_exchange(exchange("http://example.com/second"))
    (written,) = second.close()

    assert Path(kept).read_bytes() == before
    stray = tmp_path / ("test-%s-00002-crawler-1.warc.gz.open" % STAMP)
    assert stray.read_bytes() == b"left by a crash"
    assert os.path.basename(written) == "test-%s-00003-crawler-1.warc.gz" % STAMP
    assert records_of(written)[1][1]["WARC-Target-URI"] == "http://example.com/second"


@GZIP_PARAMS
def test_rotation_keeps_each_exchange_in_one_file_with_its_own_warcinfo(
    tmp_path: Path, gzip: bool
) -> None:
    writer = make_writer(tmp_path, gzip, max_size=1500)
    locations = [writer.write_exchange(exchange("http://example.com/news/%d" % i, body=b"x" * 300))
                 for i in range(5)]
    paths = writer.close()

    assert len(paths) >= 3, "max_size should have split five exchanges over several files"
    assert [os.path.basename(p) for p in paths] == [
        "test-%s-%05d-crawler-1.warc%s" % (STAMP, n, ".gz" if gzip else "")
        for n in range(1, len(paths) + 1)]
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in paths)
    seen = []
    for path in paths:
        records = records_of(path)
        assert records[0][0] == "warcinfo"
        assert records[0][1]["WARC-Filename"] == os.path.basename(path)
        assert [r[0] for r in records[1:]] == ["response", "request"] * ((len(records) - 1) // 2)
        assert len(records) >= 3, "a file with a warcinfo and nothing else"
        for response, request in zip(records[1::2], records[2::2], strict=True):
            assert request[1]["WARC-Concurrent-To"] == response[1]["WARC-Record-ID"]
            assert request[1]["WARC-Target-URI"] == response[1]["WARC-Target-URI"]
            seen.append((os.path.basename(path), response[1]["WARC-Record-ID"]))
        # the limit holds unless one exchange alone passes it
        assert os.path.getsize(path) <= 1500 or len(records) == 3
    assert seen == [(loc.filename, loc.record_id) for loc in locations]


def test_an_exchange_bigger_than_max_size_gets_a_file_of_its_own(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, True, max_size=100)
    writer.write_exchange(exchange("http://example.com/big", body=os.urandom(5000)))
    writer.write_exchange(exchange("http://example.com/small"))
    paths = writer.close()
    assert [[r[0] for r in records_of(p)] for p in paths] == [
        ["warcinfo", "response", "request"]] * 2


@GZIP_PARAMS
def test_record_location_reads_back_with_warcio(tmp_path: Path, gzip: bool) -> None:
    writer = make_writer(tmp_path, gzip)
    urls = ["http://example.com/a", "http://example.com/b?c=d", "http://example.com/%C3%A9t%C3%A9"]
    locations = [writer.write_exchange(exchange(url, body=url.encode() * 3)) for url in urls]
    (path,) = writer.close()

    data = Path(path).read_bytes()
    for url, location in zip(urls, locations, strict=True):
        assert location.filename == os.path.basename(path)
        # exactly `length` bytes at `offset` are the whole record, nothing more
        chunk = data[location.offset:location.offset + location.length]
        (record,) = list(_read_all(io.BytesIO(chunk)))
        assert record[0] == "response"
        assert record[1]["WARC-Target-URI"] == url
        assert record[1]["WARC-Record-ID"] == location.record_id
        assert record[2] == url.encode() * 3
        # and a seek to `offset` in the file reads it too, followed by its request
        with open(path, "rb") as fh:
            fh.seek(location.offset)
            following = list(_read_all(fh))
        assert following[0][1]["WARC-Target-URI"] == url
        assert following[1][0] == "request"
        assert following[1][1]["WARC-Concurrent-To"] == location.record_id


def _read_all(stream: io.IOBase):
    for record in ArchiveIterator(stream):
        yield record.rec_type, dict(record.rec_headers.headers), record.content_stream().read()


# -- revisits ---------------------------------------------------------------------------------
@GZIP_PARAMS
@pytest.mark.parametrize("version", ["WARC/1.0", "WARC/1.1"])
def test_revisit_refers_to_the_original_and_has_no_body(
    tmp_path: Path, gzip: bool, version: str
) -> None:
    writer = make_writer(tmp_path, gzip, warc_version=version)
    original = writer.write_exchange(exchange("http://example.com/a"))
    again = exchange("http://example.com/a?again", date=datetime(2024, 6, 1, tzinfo=timezone.utc))
    revisit = writer.write_revisit(
        again, payload_digest=original.payload_digest, refers_to_id=original.record_id,
        refers_to_uri="http://example.com/a", refers_to_date=original.date,
    )
    (path,) = writer.close()

    records = records_of(path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "revisit", "request"]
    fields, head, content = records[3][1], records[3][2], records[3][3]
    assert fields["WARC-Profile"] == (
        "http://netpreserve.org/warc/%s/revisit/identical-payload-digest" % version[5:])
    assert fields["WARC-Refers-To"] == original.record_id
    assert fields["WARC-Refers-To-Target-URI"] == "http://example.com/a"
    assert fields["WARC-Refers-To-Date"] == original.date
    assert fields["WARC-Payload-Digest"] == original.payload_digest == sha1_b32(BODY)
    assert fields["WARC-Target-URI"] == "http://example.com/a?again"
    assert fields["WARC-Record-ID"] == revisit.record_id
    assert head.statusline == "200 OK"
    assert content == b""  # headers only: the body stays in the original record
    assert fields["Content-Length"] == str(len(RESPONSE_HEAD))
    assert records[4][1]["WARC-Concurrent-To"] == revisit.record_id
    assert revisit.payload_digest == original.payload_digest
    assert revisit.date.startswith("2024-06-01T00:00:00")


def test_revisit_for_a_304_uses_the_server_not_modified_profile(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, True)
    original = writer.write_exchange(exchange())
    writer.write_revisit(
        exchange(response_head=b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", body=b""),
        payload_digest="", refers_to_id=original.record_id, not_modified=True,
    )
    (path,) = writer.close()
    fields = records_of(path)[3][1]
    assert fields["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert fields["WARC-Refers-To"] == original.record_id
    assert "WARC-Payload-Digest" not in fields


# -- file names ------------------------------------------------------------------------------
def test_file_stamp_is_17_digits_of_utc_to_the_millisecond() -> None:
    assert file_stamp(FIXED_DATE) == STAMP
    assert file_stamp(datetime(2024, 5, 6, 9, 8, 9, 999999, tzinfo=timezone(timedelta(hours=2)))) == \
        "20240506070809999"  # cut, not rounded: never a stamp later than the moment


def test_files_of_one_writer_sort_by_name_in_the_order_they_were_written(tmp_path: Path) -> None:
    # two files in the same millisecond, a third 0.3 ms later, the clock set back an hour, a second later
    moments = [FIXED_DATE, FIXED_DATE, FIXED_DATE + timedelta(microseconds=300), FIXED_DATE - timedelta(hours=1),
               FIXED_DATE + timedelta(seconds=1)]
    now = [FIXED_DATE]
    writer = make_writer(tmp_path, True, max_size=100, clock=lambda: now[0])
    for n, moment in enumerate(moments):  # each exchange passes max_size: a file each
        now[0] = moment
        writer.write_exchange(exchange("http://example.com/news/%d" % n, date=FIXED_DATE))
    paths = [os.path.basename(p) for p in writer.close()]
    assert sorted(paths) == paths
    # never earlier than the file before; the serial orders those of one millisecond
    assert [p.split("-")[1] for p in paths] == [STAMP] * 4 + ["20240506070810123"]
    assert [int(p.split("-")[2]) for p in paths] == [1, 2, 3, 4, 5]


def _old_style(path: str, stamp20: str) -> str:
    """`path` renamed as an older release named its files: a 20-digit stamp (to the microsecond)."""
    name = os.path.basename(path)
    parts = name.split("-")
    parts[1] = stamp20
    old = os.path.join(os.path.dirname(path), "-".join(parts))
    os.replace(path, old)
    return old


def test_a_collection_with_20_and_17_digit_names_lists_repairs_and_indexes_them_in_time_order(
        tmp_path: Path) -> None:
    collection = Collection.create(str(tmp_path), "mixed")
    archive = Path(collection.archive_dir)

    def one_file(moment: datetime, url: str) -> str:
        writer = make_writer(archive, True, clock=lambda: moment)
        writer.write_exchange(exchange(url))
        (path,) = writer.close()
        return path

    # an older release's files: one closed, one a crash left open (repaired below)
    old_closed = _old_style(one_file(datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
                                     "http://example.com/old/1"), "20240506070809123456")
    old_open = _old_style(one_file(datetime(2024, 5, 6, 7, 8, 9, 123999, tzinfo=timezone.utc),
                                   "http://example.com/old/2"), "20240506070809123999")
    os.replace(old_open, old_open + OPEN_SUFFIX)
    # this release's: the same millisecond as the old ones, a later one, and one of the day before
    same_ms = one_file(datetime(2024, 5, 6, 7, 8, 9, 124000, tzinfo=timezone.utc), "http://example.com/new/1")
    later = one_file(datetime(2024, 5, 7, tzinfo=timezone.utc), "http://example.com/new/2")
    before = one_file(datetime(2024, 5, 5, tzinfo=timezone.utc), "http://example.com/new/0")
    assert os.path.basename(later) == "test-20240507000000000-00001-crawler-1.warc.gz"

    (repaired,) = repair_directory(str(archive))
    assert repaired.path == old_open and repaired.records == 3  # warcinfo, response, request
    assert collection.warc_files() == [before, old_closed, old_open, same_ms, later]
    assert rebuild_index(collection.indexes_dir, collection.warc_files()) == 5
    names, lines = indexed_files(collection.indexes_dir)
    assert names == {os.path.basename(p) for p in (before, old_closed, old_open, same_ms, later)}
    assert lines == 5


# -- warcinfo --------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_warcinfo_names_the_format_the_file_is_written_in(tmp_path: Path, version: str) -> None:
    writer = make_writer(tmp_path, True, warc_version=version, info=format_fields(version))
    writer.write_exchange(exchange())
    (path,) = writer.close()
    with open(path, "rb") as fh:
        info = next(iter(ArchiveIterator(fh)))
        assert info.rec_headers.protocol == "WARC/" + version
        fields = info.content_stream().read().decode()
    assert "format: WARC File Format %s\r\n" % version in fields
    assert "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-%s/\r\n" % (
        version) in fields
    other = "1.1" if version == "1.0" else "1.0"
    assert "warc-%s" % other not in fields and "Format %s" % other not in fields


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_a_writer_refuses_warcinfo_fields_naming_another_version(tmp_path: Path, version: str) -> None:
    other = "1.1" if version == "1.0" else "1.0"
    for claim in (format_fields(other), {"conformsTo": format_fields(other)["conformsTo"]},
                  {"format": format_fields(other)["format"]}):
        with pytest.raises(ArchiveError, match="WARC/%s, the version written" % version):
            make_writer(tmp_path, True, warc_version=version, info={"software": "t", **claim})
    assert not list(tmp_path.iterdir())  # refused before any file


def test_format_fields_refuse_a_version_the_writer_cannot_write() -> None:
    assert format_fields("WARC/1.0") == format_fields("1.0")
    with pytest.raises(ArchiveError, match="2.0"):
        format_fields("2.0")


# -- an independent judge ---------------------------------------------------------------------
@GZIP_PARAMS
def test_warc_check_finds_no_fault_in_what_the_writer_produces(tmp_path: Path, gzip: bool) -> None:
    archive = tmp_path / "archive"
    writer = WarcWriter(str(archive), prefix="check", host="node-1", gzip=gzip, max_size=4000,
                        info={"software": "newsarchive-test"})
    wire = gzip_module.compress(b"<html><body>zipped</body></html>", mtime=0)
    first = writer.write_exchange(exchange(
        "http://example.com/zipped",
        response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(wire),
        body=wire))
    writer.write_exchange(exchange(
        "http://example.com/missing",
        response_head=b"HTTP/1.1 404 Not Found Here\r\nContent-Type: text/html\r\n"
                      b"X-City: Z\xfcrich\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                      b"Content-Length: 4\r\n\r\n",
        body=b"nope"))
    for i in range(6):
        body = b"<p>article %d</p>" % i * 40
        writer.write_exchange(exchange(
            "http://example.com/news/%d" % i,
            response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body),
            body=body))
    writer.write_revisit(
        exchange("http://example.com/zipped",
                 response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(wire)),
        payload_digest=first.payload_digest, refers_to_id=first.record_id,
        refers_to_uri="http://example.com/zipped", refers_to_date=first.date)
    paths = writer.close()
    assert len(paths) > 1  # rotation is part of what is checked

    proc = warc_check(str(archive), "--strict")
    last = proc.stdout.strip().splitlines()[-1]
    records = len(paths) + 18  # a warcinfo a file, 8 exchanges and a revisit with requests
    assert last == "warc_check: %d records, 8 responses, 0 failures" % records, proc.stdout
    assert proc.returncode == 0


def test_a_content_encoded_body_is_stored_not_deflated_again(tmp_path: Path) -> None:
    """Compressed bytes gain nothing from a second deflate: their record goes in a stored
    (level 0) gzip member, a plain body's record is deflated; both read back the same."""
    plain_body = b"<p>the same sentence again and again</p>\n" * 200
    zipped_body = gzip_module.compress(plain_body, mtime=0)
    writer = make_writer(tmp_path, True)
    for body, encoding in ((plain_body, b""), (zipped_body, b"Content-Encoding: gzip\r\n")):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n%sContent-Length: %d\r\n\r\n" % (
            encoding, len(body))
        writer.write_exchange(exchange(response_head=head, body=body))
    (path,) = writer.close()
    data = Path(path).read_bytes()
    lengths = [length for _offset, length in member_spans(data)]
    members = gzip_members(data)
    # warcinfo, then (response, request) for the plain body, then for the zipped one
    assert lengths[1] < len(members[1]) / 5  # deflated
    assert lengths[3] > len(members[3])  # stored as it is
    payloads = [payload for kind, _fields, _http, payload in records_of(path) if kind == "response"]
    assert payloads == [plain_body, zipped_body]


@pytest.mark.parametrize(("content_type", "stored"), [
    (b"image/png", True), (b"IMAGE/JPEG; charset=binary", True), (b"font/woff2", True),
    (b"application/font-woff", True), (b"video/mp4", True), (b"audio/mpeg", True),
    (b"image/svg+xml", False), (b"text/css", False), (b"application/javascript", False),
])
def test_a_body_compressed_by_its_format_is_stored_not_deflated(
        tmp_path: Path, content_type: bytes, stored: bool) -> None:
    """Photos, web fonts and media gain nothing from deflate (a requisite crawl spent most of its
    extra CPU there): their records go in stored gzip members; text formats are deflated."""
    body = b"<svg><rect/></svg> repeated body text\n" * 300
    head = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (content_type, len(body))
    writer = make_writer(tmp_path, True)
    writer.write_exchange(exchange(response_head=head, body=body))
    (path,) = writer.close()
    data = Path(path).read_bytes()
    length = member_spans(data)[1][1]
    assert (length > len(body)) is stored
    assert [p for kind, _f, _h, p in records_of(path) if kind == "response"] == [body]


def test_identity_is_not_a_content_encoding(tmp_path: Path) -> None:
    writer = make_writer(tmp_path, True)
    body = b"<p>plain words repeated</p>" * 100
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: %d\r\n\r\n" % len(body)
    writer.write_exchange(exchange(response_head=head, body=body))
    (path,) = writer.close()
    _offset, length = member_spans(Path(path).read_bytes())[1]
    assert length < len(body) / 5
