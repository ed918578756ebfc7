"""The record reader (warcio's recordloader.py): the complete records of a gzip member, each with its place."""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader

from archive.codings import MAX_DECODED
from archive.exceptions import WarcFormatError
from archive.gzip_members import BLOCK, GzipMembers

HTTP_RECORDS = ("response", "revisit")  # the records that hold an HTTP response (or stand for one)
_LENGTH = re.compile(r"[0-9]{1,18}")


@dataclass
class RecordEntry:
    """One complete record read from a member, with its place."""

    record: Any  # warcio's ArcWarcRecord
    offset: int
    length: int
    raw: bytes  # the HTTP payload as stored (response and revisit records with HTTP headers)
    arc: bool = False  # an ARC record, its headers made WARC ones by warcio
    too_big: bool = False  # a payload past the reader's bound: `raw` is empty, the rest was read past

    @property
    def rec_type(self) -> str:
        return str(self.record.rec_type)

    @property
    def http(self) -> Any:
        return self.record.http_headers

    @property
    def record_id(self) -> str:
        if self.arc:  # ARC records have none: warcio makes up a new one at each reading
            return ""
        return self.record.rec_headers.get_header("WARC-Record-ID") or ""

    def warc(self, name: str) -> str:
        return (self.record.rec_headers.get_header(name) or "").strip()


class _Loader(ArcWarcRecordLoader):  # type: ignore[misc]  # warcio ships no types
    """warcio's record loader, which fails with an AttributeError on an HTTP record without
    WARC-Target-URI (204 of 3,000 mutated WARCs): such a record is read without its HTTP
    head, whole, so that the reader names it and goes on with the next one."""

    def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: int | None) -> Any:
        if not uri:
            return None
        return super().load_http_headers(rec_type, uri, stream, length)


_LOADER = _Loader(verify_http=False, arc2warc=True)


class _Unreadable(Exception):
    """One record that cannot be read; the reader looks for the next one."""

    def __init__(self, problem: str, record: bool = True) -> None:
        super().__init__(problem)
        self.record = record  # a record starts here (else: no record where the last one ended)


def read_entries(
    members: GzipMembers, path: str, known_format: str | None, max_payload: int = MAX_DECODED
) -> Iterator[RecordEntry | WarcFormatError]:
    """The complete records of the current member (all of a plain file), in order, and a
    WarcFormatError for each spot that holds none; reading goes on after it with the next line
    that starts a WARC record, to the end of the member (or to the corrupt spot of its gzip
    data). A payload past `max_payload` bytes is read past, not kept (`too_big`)."""
    good_end = members.handed  # a bad spot starts where the last good record ended
    while True:
        try:
            line = _next_nonblank(members)
        except zlib.error:
            yield _corrupt(members, path)
            return
        if not line:
            return
        start = members.handed - len(line)
        offset = members.start if members.gzipped else members.start + start
        where = "record at uncompressed offset %d of this gzip member: " % start if (
            members.gzipped and start > 0) else ""
        try:
            entry = _read_one(members, line, known_format, offset, max_payload)
        except zlib.error:
            yield _corrupt(members, path)
            return
        except _Unreadable as err:
            spot = offset if err.record else members.start if members.gzipped else members.start + good_end
            yield WarcFormatError(path, spot, where + str(err))
            try:
                found = members.resync(start)
            except zlib.error:
                yield _corrupt(members, path)
                return
            if not found:
                return
            good_end = members.handed
            continue
        if not members.gzipped:
            entry.length = members.handed - start  # warcio's count: without the blank lines that follow
        good_end = members.handed
        if members.gzipped:
            try:  # the blank lines after the record, so that a member read to its end says so
                line = _next_nonblank(members)
            except zlib.error:
                yield _corrupt(members, path)
                return
            entry.length = members.consumed()  # the whole member once read to its end
            if line:
                members.unread(line)
        yield entry


def _next_nonblank(members: GzipMembers) -> bytes:
    """The next line that is not blank (b"" at the end); zlib.error from a corrupt member."""
    line = members.readline()
    while line and line.strip() == b"":
        line = members.readline()
    return bytes(line)


def _corrupt(members: GzipMembers, path: str) -> WarcFormatError:
    return WarcFormatError(path, members.start, "gzip member corrupt (%s)" % (members.corrupt or "zlib error"))


def _read_one(
    members: GzipMembers, line: bytes, known_format: str | None, offset: int, max_payload: int
) -> RecordEntry:
    """The record whose first line is `line`; _Unreadable says why there is none."""
    is_arc = not line.startswith(b"WARC/")
    try:
        record = _LOADER.parse_record_stream(members, line, known_format)
    except ArchiveLoadFailed as err:
        # warcio quotes the line it found, which may be any bytes at all
        found = "".join(c if c.isprintable() else "?" for c in " ".join(str(err).split()))
        said = found[:120] + "..." if len(found) > 120 else found
        raise _Unreadable("no WARC record here (%s)" % said, record=False) from err
    except EOFError as err:  # the file ends before the HTTP head does
        raise _Unreadable("record cut short in its HTTP head") from err
    except zlib.error:
        raise
    except Exception as err:  # warcio's parser fails on hostile bytes in ways it does not document
        raise _Unreadable("record unreadable (%s: %s)" % (type(err).__name__, str(err)[:120])) from err
    declared = record.rec_headers.get_header("Content-Length")
    if record.length is None:
        raise _Unreadable("WARC header block cut short or without Content-Length")
    if not is_arc and not _LENGTH.fullmatch(declared.strip()):
        raise _Unreadable("record with a bad Content-Length (%r)" % declared[:40])
    http = record.rec_type in HTTP_RECORDS and record.http_headers is not None
    raw = record.raw_stream.read(max_payload + 1) if http else b""
    too_big = len(raw) > max_payload
    if too_big:
        raw = b""
    while record.raw_stream.read(BLOCK * 4):
        pass
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:  # the file ends inside the record
        raise _Unreadable("record cut short: %d bytes of its block are missing" % missing)
    return RecordEntry(record, offset, 0, raw, arc=is_arc, too_big=too_big)
