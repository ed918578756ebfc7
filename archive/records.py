"""The record reader (warcio's recordloader.py): the complete records of a gzip member, each with its place."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader

from archive.exceptions import WarcFormatError
from archive.gzip_members import BLOCK, GzipMembers


@dataclass
class RecordEntry:
    """One complete record read from a member, with its place."""

    record: Any  # warcio's ArcWarcRecord
    offset: int
    length: int
    raw: bytes  # the HTTP payload as stored (response and revisit records with HTTP headers)
    arc: bool = False  # an ARC record, its headers made WARC ones by warcio

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


_LOADER = ArcWarcRecordLoader(verify_http=False, arc2warc=True)


def read_entries(members: GzipMembers, path: str, known_format: str | None) -> Iterator[RecordEntry]:
    """The complete records of the current member (all of a plain file), in order."""
    line = b""
    good_end = members.handed  # a bad spot starts where the last good record ended
    while True:
        while line.strip() == b"":
            line = members.readline()
            if not line:
                return
        start = members.handed - len(line)
        offset = members.start if members.gzipped else members.start + start
        where = "record at uncompressed offset %d of this gzip member: " % start if (
            members.gzipped and start > 0) else ""
        is_arc = not line.startswith(b"WARC/")
        try:
            record = _LOADER.parse_record_stream(members, line, known_format)
        except ArchiveLoadFailed as err:
            spot = members.start if members.gzipped else members.start + good_end
            # warcio quotes the line it found, which may be any bytes at all
            found = "".join(c if c.isprintable() else "?" for c in " ".join(str(err).split()))
            raise WarcFormatError(path, spot, where + "no WARC record here (%s)"
                                  % (found[:120] + "..." if len(found) > 120 else found)) from err
        except EOFError as err:  # the file ends before the HTTP head does
            raise WarcFormatError(path, offset, where + "record cut short in its HTTP head") \
                from err
        if record.length is None:
            raise WarcFormatError(
                path, offset, where + "WARC header block cut short or without Content-Length")
        http = record.rec_type in ("response", "revisit") and record.http_headers is not None
        raw = record.raw_stream.read() if http else b""
        while record.raw_stream.read(BLOCK * 4):
            pass
        missing = getattr(record.raw_stream, "limit", 0)
        if missing > 0:  # the file ends inside the record
            raise WarcFormatError(path, offset, where + "record cut short: %d bytes of its block"
                                  " are missing" % missing)
        end = members.handed
        line = members.readline()
        while line and line.strip() == b"":
            line = members.readline()
        if members.gzipped:
            length = members.consumed()  # whole member once read to its end
        else:
            length = end - start  # warcio's count: without the blank lines that follow
        good_end = end
        yield RecordEntry(record, offset, length, raw, arc=is_arc)
