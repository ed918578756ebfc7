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
from archive.payload_digests import MATCH, MISMATCH, DigestVerdict, PayloadDigester

HTTP_RECORDS = ("response", "revisit")  # the records that hold an HTTP response (or stand for one)
DIGESTED = ("response", "resource")  # the records whose payload digest reading checks
_LENGTH = re.compile(r"[0-9]{1,18}")
# The last bytes of each block are held back until the bytes after the record say where it
# really ends: a Content-Length too long swallows the blank lines and the start of the next
# record (found again in here), one too long at the end of a file or member swallows them all.
TAIL = 1024
SLACK = 64  # bytes a record may claim past the end of its file or gzip member and still be whole
_TERMINATOR = b"\r\n\r\n"


class UnreadableData(WarcFormatError):
    """An unreadable stretch of a WARC file: where it starts, how many bytes were skipped, why.

    In a gzip member that holds several records, or after a record of it, `length` counts
    uncompressed bytes (`in_member`) from `member_offset` within the member at `offset`."""

    def __init__(self, filename: str, offset: int, problem: str, length: int | None = None,
                 in_member: int | None = None) -> None:
        super().__init__(filename, offset, problem)
        self.length = length
        self.in_member = in_member

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"file": self.filename, "offset": self.offset, "bytes": self.length,
                                 "problem": self.problem}
        if self.in_member is not None:
            found["uncompressed_offset_in_member"] = self.in_member
        return found


@dataclass
class RecordEntry:
    """One complete record read from a member, with its place."""

    record: Any  # warcio's ArcWarcRecord
    offset: int
    length: int
    raw: bytes  # the HTTP payload as stored (response and revisit records with HTTP headers)
    arc: bool = False  # an ARC record, its headers made WARC ones by warcio
    too_big: bool = False  # a payload past the reader's bound: `raw` is empty, the rest was read past
    digest: DigestVerdict | None = None  # its WARC-Payload-Digest checked, if it has one and it was asked
    misframed: str = ""  # what was wrong with its Content-Length, when the record was read whole anyway
    # while the record is read: the held-back end of its block, and what is still to be done with it
    tail: bytes = b""
    parts: list[bytes] | None = None
    digester: PayloadDigester | None = None
    missing: int = 0  # bytes of the declared block that its file or gzip member did not have

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
    members: GzipMembers, path: str, known_format: str | None, max_payload: int = MAX_DECODED,
    check_digests: bool = False,
) -> Iterator[RecordEntry | UnreadableData]:
    """The complete records of the current member (all of a plain file), in order, and an
    UnreadableData for each stretch that holds none; reading goes on after it with the next line
    that starts a WARC record, to the end of the member (or to the corrupt spot of its gzip
    data). A payload past `max_payload` bytes is read past, not kept (`too_big`). A record whose
    Content-Length is off is read to where it really ends when the bytes show it (`misframed`):
    the next record found inside its block, its blank lines swallowed at the end of the member."""
    good_end = members.handed  # a bad spot starts where the last good record ended
    while True:
        try:
            line = _next_nonblank(members)[1]
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
            entry = _read_one(members, line, known_format, offset, max_payload, check_digests)
            block_end = members.handed
            cut = _frame(entry, members, known_format)
        except zlib.error:
            yield _corrupt(members, path)
            return
        except _Unreadable as err:
            spot = start if err.record else good_end
            try:
                found = members.resync(start)
            except zlib.error:
                yield _corrupt(members, path)
                return
            yield _stretch(members, path, where + str(err), spot, members.handed - spot)
            if not found:
                return
            good_end = members.handed
            continue
        good_end = block_end - cut  # where the record really ends
        if members.gzipped:
            entry.length = members.consumed()  # the whole member once read to its end
        else:  # warcio's count: without the blank lines that follow
            entry.length = good_end - start
        yield entry


def _stretch(members: GzipMembers, path: str, problem: str, spot: int, length: int) -> UnreadableData:
    if not members.gzipped:
        return UnreadableData(path, members.start + spot, problem, length)
    return UnreadableData(path, members.start, problem, length, in_member=spot)


def _next_nonblank(members: GzipMembers) -> tuple[bytes, bytes]:
    """The blank lines passed over, and the next line that is not blank (b"" at the end);
    zlib.error from a corrupt member."""
    blank = []
    line = members.readline()
    while line and line.strip() == b"":
        blank.append(line)
        line = members.readline()
    return b"".join(blank), bytes(line)


def _frame(entry: RecordEntry, members: GzipMembers, known_format: str | None) -> int:
    """Finish the record just read: decide where it ends from what follows it, then hash and
    keep the held-back end of its block; return how many bytes of the block as declared are
    not the record's. The reader is left at the next record (or at what follows that is none,
    which read_entries then names)."""
    if entry.missing:  # the block runs past the end of the file or of its gzip member
        whole = entry.tail.endswith(_TERMINATOR) and entry.missing <= SLACK and not members.cut
        if entry.arc or not whole:
            raise _Unreadable("record cut short: %d bytes of its block are missing" % entry.missing)
        entry.misframed = "Content-Length %s is %d bytes more than the record holds" % (
            entry.warc("Content-Length"), entry.missing + len(_TERMINATOR))
        return _finish(entry, len(_TERMINATOR))
    if entry.arc or known_format != "warc":
        return _finish(entry, 0)
    blank, line = _next_nonblank(members)
    if line:
        members.unread(line)
    if not line or line.startswith(b"WARC/"):
        over = len(_TERMINATOR) - len(blank)
        if 0 < over <= len(_TERMINATOR) and (entry.tail + blank).endswith(_TERMINATOR):
            # part of the blank lines may be in the block: the digest, if any, says whether
            return _finish(entry, 0, over)
        return _finish(entry, 0)
    # no record follows: has this one swallowed the start of the next?
    found = (entry.tail + blank + line).rfind(b"\nWARC/")
    if not 0 <= found < len(entry.tail) - 1:
        return _finish(entry, 0)  # as declared; what follows is named as unreadable when read
    members.unread(entry.tail[found + 1:] + blank)
    kept = entry.tail[:found + 1]
    cut = len(entry.tail) - max(len(kept.rstrip(b"\r\n")), len(kept) - len(_TERMINATOR))
    entry.misframed = "Content-Length %s is %d bytes too long: the next record starts inside it" % (
        entry.warc("Content-Length"), cut)
    return _finish(entry, cut)


def _finish(entry: RecordEntry, cut: int, maybe: int = 0) -> int:
    """Take the held-back end of the block, less its last `cut` bytes, into payload and digest;
    or less its last `maybe` bytes when only that makes the payload match its digest."""
    last = entry.tail[:len(entry.tail) - cut]
    if entry.digester is not None:
        if maybe:
            twin = entry.digester.clone()
            twin.update(entry.tail[:len(entry.tail) - maybe])
        entry.digester.update(last)
        entry.digest = entry.digester.verdict()
        if maybe and entry.digest.outcome == MISMATCH and twin.verdict().outcome == MATCH:
            entry.digest, cut, last = twin.verdict(), maybe, entry.tail[:len(entry.tail) - maybe]
            entry.misframed = "Content-Length %s is %d bytes too long: it counts blank lines after the" \
                " record (its payload digest matches without them)" % (entry.warc("Content-Length"), maybe)
    if entry.parts is not None and not entry.too_big:
        entry.raw = b"".join(entry.parts) + last
    entry.parts, entry.digester = None, None
    return cut


def _corrupt(members: GzipMembers, path: str) -> UnreadableData:
    """A gzip member whose data is corrupt; how much is skipped is known once the next is found."""
    return UnreadableData(path, members.start, "gzip member corrupt (%s)" % (members.corrupt or "zlib error"))


def _read_one(
    members: GzipMembers, line: bytes, known_format: str | None, offset: int, max_payload: int,
    check_digests: bool = False,
) -> RecordEntry:
    """The record whose first line is `line`, its block read to its declared end but for its
    held-back end (`tail`), which _frame takes; _Unreadable says why there is none."""
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
    entry = RecordEntry(record, offset, 0, b"", arc=is_arc, parts=[])
    http = record.rec_type in HTTP_RECORDS and record.http_headers is not None
    if check_digests and not is_arc:
        entry.digester = _digester(entry)
    kept, tail = 0, b""
    while True:
        chunk = record.raw_stream.read(BLOCK * 4)
        if not chunk:
            break
        data = tail + chunk if tail else chunk
        if len(data) <= TAIL:
            tail = data
            continue
        done, tail = data[:-TAIL], data[-TAIL:]
        if entry.digester is not None:
            entry.digester.update(done)
        if http and not entry.too_big:
            kept += len(done)
            entry.too_big = kept + len(tail) > max_payload
            entry.parts.append(done)  # type: ignore[union-attr]  # set above
        if entry.too_big:
            entry.parts = None
    if http and not entry.too_big:
        entry.too_big = kept + len(tail) > max_payload
    if not http or entry.too_big:
        entry.parts = None
    entry.tail = tail
    entry.missing = max(0, getattr(record.raw_stream, "limit", 0))
    return entry


def _digester(entry: RecordEntry) -> PayloadDigester | None:
    """What checks the record's payload digest: response and resource records that carry one
    (not a revisit's, which is its original's; not a segment's, which is the whole's)."""
    declared = entry.warc("WARC-Payload-Digest")
    if entry.rec_type not in DIGESTED or not declared or entry.warc("WARC-Segment-Number"):
        return None
    chunked = False
    if entry.http is not None:
        codings = ",".join(v for k, v in entry.http.headers if k.lower() == "transfer-encoding")
        chunked = codings.lower().replace(" ", "").endswith("chunked")
    return PayloadDigester(declared, chunked)
