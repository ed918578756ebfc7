"""Reads archived HTTP responses back out of WARC files, ours or anyone's."""
from __future__ import annotations

import logging
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, BinaryIO

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader

from archive.codings import dechunk, decode_payload
from archive.exceptions import WarcFormatError
from archive.warc import RecordLocation

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
ARC_SUFFIXES = (".arc", ".arc.gz")

_BLOCK = 16 * 1024  # compressed bytes read at a time (a gzip bomb stays below ~16 MB a step)
_MAX_LINE = 1 << 20  # a "header line" longer than this is garbage
_GZIP_MAGIC = b"\x1f\x8b"
TRUNCATED = "truncated record"  # ReadReport.skipped key of responses marked WARC-Truncated


@dataclass
class ArchivedResponse:
    """One archived response: what replay feeds to the same chain a crawl uses.

    A `revisit` record comes out as the capture it stands for when its original is in
    the same input (`record_type` "revisit", `refers_to` the original's place): with the
    original's body, and, for a server-not-modified revisit (a 304), the original's
    status and headers. Replay turns captures into items, and a revisit is the page seen
    again — under its own URL, which may be a new one — so the chain treats it as such
    (usually as a duplicate that makes the URL an alias). `location` is always the
    revisit record's own place.
    """

    url: str
    status: int
    headers: list[tuple[str, str]]
    payload: bytes  # as stored, chunk framing removed: still in `codings`
    date: str  # WARC-Date
    location: RecordLocation
    record_type: str = "response"
    refers_to: RecordLocation | None = None
    codings: tuple[str, ...] = ()  # content and transfer codings on `payload`, as applied

    @cached_property
    def body(self) -> bytes:
        """The payload with its codings undone (on first use: replay leaves that to workers)."""
        return decode_payload(self.payload, self.codings, self.where)

    @property
    def where(self) -> str:
        return "%s at offset %d" % (self.location.filename, self.location.offset)

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in (self.header("Content-Type") or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


@dataclass
class ReadReport:
    """What reading skipped: one entry per unreadable spot, with file and offset."""

    problems: list[WarcFormatError] = field(default_factory=list)
    files: int = 0
    records: int = 0
    revisits: int = 0  # revisit records handed on with their original's body
    skipped: Counter[str] = field(default_factory=Counter)  # responses not handed on, by reason


def find_warc_files(paths: Iterable[str]) -> list[str]:
    """Expand directories into the WARC files below them, in name order."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for dirpath, _dirs, files in sorted(os.walk(path)):
                found.extend(
                    os.path.join(dirpath, f) for f in sorted(files) if f.endswith(WARC_SUFFIXES)
                )
        else:
            found.append(path)
    return found


def iter_responses(
    paths: Iterable[str], report: ReadReport | None = None
) -> Iterator[ArchivedResponse]:
    """Yield every HTTP response record in the files, in file order, bodies decoded.

    Request, metadata, resource (`dns:`, `urn:pageinfo:`), warcinfo, conversion and
    continuation records are read past, and so are responses marked `WARC-Truncated`
    (a body cut at a size or time limit is not the page), counted in `report.skipped`
    under `TRUNCATED`. A revisit comes out as described on
    `ArchivedResponse`, in its place when its original came before it, else after the
    last file; a revisit whose original is not in the input is counted in
    `report.skipped`. A corrupt or truncated file yields the records before the bad
    spot; the spot goes into `report.problems` and reading goes on with the next file
    (or, in a gzip file whose compression is intact, with the next gzip member).

    A record's `location` is the offset and length of its gzip member (one record per
    member, as warcio writes) or, in a plain file, of the record itself. A record that
    shares its gzip member with others (wget-style files do not; some tools gzip a whole
    file as one stream) gets that member's offset and a length that covers the member
    at least up to this record: `read_record_at(path, offset, record_id)` finds it there.
    """
    report = report if report is not None else ReadReport()
    originals = _Originals()
    try:
        for path in find_warc_files(paths):
            report.files += 1
            yield from _iter_file(path, report, originals)
        yield from originals.resolve_pending(report)
        if report.skipped[TRUNCATED]:
            logger.info("%d responses marked WARC-Truncated (cut short when captured); not replayed",
                        report.skipped[TRUNCATED])
    finally:
        originals.close()


def read_record_at(path: str, offset: int, record_id: str | None = None) -> ArchivedResponse:
    """Read the response record that starts at `offset` (what an item's `warc` points at).

    With `record_id`, the record of that id in the gzip member at `offset` (which may
    hold several). A revisit comes back as stored, without a body.
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        members = _Members(stream, offset, path)
        try:
            for entry in _entries(members, path, _known_format(path)):
                if record_id is None or entry.record_id == record_id:
                    if entry.http is None or entry.rec_type not in ("response", "revisit"):
                        raise WarcFormatError(path, offset, "no HTTP response record here")
                    return _response(entry, os.path.basename(path), _payload(entry))
        except (ArchiveLoadFailed, EOFError, ValueError, zlib.error) as err:
            raise WarcFormatError(path, offset, "no WARC record here") from err
    raise WarcFormatError(path, offset, "no WARC record here" if record_id is None
                          else "no record %s here" % record_id)


# -- files, members, records ------------------------------------------------------------------
def _known_format(path: str) -> str | None:
    # warcio takes any line of five words for an ARC header: only .arc files may hold ARC
    return None if path.lower().endswith(ARC_SUFFIXES) else "warc"


def _iter_file(path: str, report: ReadReport, originals: _Originals) -> Iterator[ArchivedResponse]:
    name = os.path.basename(path)
    members: _Members | None = None
    try:
        with open(path, "rb") as stream:
            members = _Members(stream, 0, path)
            while True:
                try:
                    for entry in _entries(members, path, _known_format(path)):
                        report.records += 1
                        yield from _handed_on(entry, path, name, report, originals)
                except WarcFormatError as problem:
                    _note(problem, report)
                    if not members.gzipped or not members.skip_rest():
                        return
                if not members.gzipped:
                    return
                if members.cut:
                    raise WarcFormatError(path, members.start, "gzip member cut short")
                if not members.next_member():
                    return
    except WarcFormatError as problem:
        _note(problem, report)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as err:
        where = 0 if members is None else members.start if members.gzipped else members.handed
        _note(WarcFormatError(path, where, str(err).strip() or type(err).__name__), report)


def _note(problem: WarcFormatError, report: ReadReport) -> None:
    logger.warning("unreadable WARC data: %s", problem)
    report.problems.append(problem)


class _Members:
    """The uncompressed bytes of a WARC file, one gzip member at a time (a plain file is one).

    Written because warcio's ArchiveIterator refuses a gzip member holding more than one
    record and cannot place records inside one; wget writes a member a record, other tools
    a member a file. `read`/`readline` stop at the end of the current member.
    """

    def __init__(self, stream: BinaryIO, start: int, path: str) -> None:
        self._stream = stream
        self._path = path
        self.start = start  # file offset of the current member
        self._raw = stream.read(_BLOCK)  # compressed bytes not fed to the decompressor yet
        self.gzipped = self._raw.startswith(_GZIP_MAGIC)
        self._unzip = zlib.decompressobj(31) if self.gzipped else None
        self._fed = 0  # compressed bytes of this member fed to the decompressor
        self._buf = b""
        self._pos = 0
        self.handed = 0  # uncompressed bytes of this member handed out
        self.cut = False  # the file ended inside this gzip member

    def _fill(self) -> bool:
        """Refill the (empty) buffer; False at the end of the member."""
        while True:
            if self._unzip is not None and self._unzip.eof:
                return False
            raw, self._raw = self._raw or self._stream.read(_BLOCK), b""
            if self._unzip is None:
                data = raw
                if not data:
                    return False
            else:
                if not raw:
                    self.cut = True
                    return False
                # fed in steps of _BLOCK from the member's start, so that how much of a
                # shared member a record needs does not depend on how the file was read
                step = _BLOCK - self._fed % _BLOCK
                raw, self._raw = raw[:step], raw[step:]
                data = self._unzip.decompress(raw)
                self._fed += len(raw)
                if self._unzip.eof:
                    self._raw = self._unzip.unused_data + self._raw
                    self._fed -= len(self._unzip.unused_data)
            if data:
                self._buf, self._pos = data, 0
                return True

    def read(self, size: int | None = None) -> bytes:
        parts = []
        want = size if size is not None and size >= 0 else None
        while want is None or want > 0:
            if self._pos >= len(self._buf) and not self._fill():
                break
            end = len(self._buf) if want is None else min(len(self._buf), self._pos + want)
            parts.append(self._buf[self._pos:end])
            if want is not None:
                want -= end - self._pos
            self._pos = end
        data = b"".join(parts)
        self.handed += len(data)
        return data

    def readline(self, size: int | None = None) -> bytes:
        want = size if size is not None and size >= 0 else _MAX_LINE
        parts = []
        while want > 0:
            if self._pos >= len(self._buf) and not self._fill():
                break
            newline = self._buf.find(b"\n", self._pos, self._pos + want)
            end = newline + 1 if newline >= 0 else min(len(self._buf), self._pos + want)
            parts.append(self._buf[self._pos:end])
            want -= end - self._pos
            self._pos = end
            if newline >= 0:
                break
        line = b"".join(parts)
        self.handed += len(line)
        return line

    def tell(self) -> int:
        return self.handed

    def consumed(self) -> int:
        """Compressed bytes of this member read so far: all of it once it is read to its end."""
        return self._fed

    def skip_rest(self) -> bool:
        """Read past the rest of this gzip member; False if it is cut or corrupt."""
        try:
            while self.read(_BLOCK * 4):
                pass
        except zlib.error:
            return False
        return not self.cut

    def next_member(self) -> bool:
        """Start reading the next gzip member; False at the end of the file."""
        self.start += self._fed
        head = self._raw + (self._stream.read(_BLOCK) if len(self._raw) < 2 else b"")
        if not head:
            return False
        if not head.startswith(_GZIP_MAGIC):
            size = os.fstat(self._stream.fileno()).st_size
            raise WarcFormatError(self._path, self.start,
                                  "%d bytes that are no gzip member" % (size - self.start))
        self._raw, self._unzip, self._fed = head, zlib.decompressobj(31), 0
        self._buf, self._pos, self.handed = b"", 0, 0
        return True


@dataclass
class _Entry:
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


def _entries(members: _Members, path: str, known_format: str | None) -> Iterator[_Entry]:
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
        while record.raw_stream.read(_BLOCK * 4):
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
        yield _Entry(record, offset, length, raw, arc=is_arc)


# -- responses --------------------------------------------------------------------------------
def _handed_on(
    entry: _Entry, path: str, name: str, report: ReadReport, originals: _Originals
) -> Iterator[ArchivedResponse]:
    if entry.rec_type not in ("response", "revisit"):
        return  # requests, metadata, resources, warcinfo, conversion, continuation
    http_target = entry.warc("WARC-Target-URI").lstrip("<").startswith(("http:", "https:"))
    if entry.http is None and not (entry.rec_type == "revisit" and http_target):
        return  # dns: and other records that hold no HTTP message
    if entry.warc("WARC-Segment-Number"):
        report.skipped["segmented record"] += 1  # its payload continues in other records
        return
    if entry.rec_type == "response" and entry.warc("WARC-Truncated"):
        # a body cut at a size or time limit (or by a hang-up) is not the page
        logger.debug("%s at offset %d: %s cut short (WARC-Truncated: %s); not replayed",
                     path, entry.offset, entry.warc("WARC-Target-URI"), entry.warc("WARC-Truncated"))
        report.skipped[TRUNCATED] += 1
        return
    if not entry.warc("WARC-Target-URI"):
        report.skipped["no WARC-Target-URI"] += 1
        return
    response = _response(entry, name, _payload(entry))
    if entry.rec_type == "response":
        originals.note(response, path, entry.record_id)
        yield response
        return
    revisit = _RevisitRef(
        response, entry.warc("WARC-Profile"), entry.warc("WARC-Refers-To"),
        entry.warc("WARC-Refers-To-Target-URI"), entry.warc("WARC-Refers-To-Date"))
    replayed = originals.resolve(revisit)
    if replayed is None:
        originals.pending.append(revisit)
    else:
        report.revisits += 1
        yield replayed


def _response(entry: _Entry, filename: str, payload: tuple[bytes, tuple[str, ...]]) -> ArchivedResponse:
    try:  # a revisit may come without an HTTP head
        status = int(entry.http.get_statuscode() or 0) if entry.http is not None else 0
    except ValueError:
        status = 0
    location = RecordLocation(
        filename=filename,
        offset=entry.offset,
        length=entry.length,
        record_id=entry.record_id,
        date=entry.warc("WARC-Date"),
        payload_digest=entry.warc("WARC-Payload-Digest"),
    )
    return ArchivedResponse(
        # wget 1.x writes <http://...>
        url=entry.warc("WARC-Target-URI").strip("<>"),
        status=status,
        headers=list(entry.http.headers) if entry.http is not None else [],
        payload=payload[0],
        date=location.date,
        location=location,
        record_type=entry.rec_type,
        codings=payload[1],
    )


def _payload(entry: _Entry) -> tuple[bytes, tuple[str, ...]]:
    """The payload without chunk framing, and the codings still on it (undone on use)."""
    if entry.http is None:
        return entry.raw, ()
    headers = entry.http.headers

    def codings(name: str) -> list[str]:
        values = ",".join(v for k, v in headers if k.lower() == name)
        return [c.strip().lower() for c in values.split(",") if c.strip()]

    body = entry.raw
    transfer = codings("transfer-encoding")
    if transfer and transfer[-1] == "chunked":
        # wget and warcio's capture_http store chunk framing as it came
        transfer.pop()
        dechunked = dechunk(body)
        body = body if dechunked is None else dechunked
    return body, tuple(codings("content-encoding") + transfer)


# -- revisits ---------------------------------------------------------------------------------
def _digest_key(digest: str) -> str:
    return "digest " + digest.lower()  # base32 and hex digests are written in either case


@dataclass
class _RevisitRef:
    response: ArchivedResponse  # as stored: no body
    profile: str
    refers_to: str
    refers_to_uri: str
    refers_to_date: str

    @property
    def not_modified(self) -> bool:
        return "server-not-modified" in self.profile.lower() or self.response.status == 304

    def keys(self) -> list[str]:
        uri = self.refers_to_uri.strip("<>") or self.response.url
        keys = ["id " + self.refers_to] if self.refers_to else []
        if self.response.location.payload_digest and not self.not_modified:
            keys.append(_digest_key(self.response.location.payload_digest))
        if self.refers_to_date:
            keys.append("capture %s %s" % (uri, self.refers_to_date))
        if self.not_modified:
            keys.append("url " + uri)
        return keys


class _Originals:
    """Where each response of the input is, by record id, payload digest and URL.

    Kept in a private temporary SQLite file rather than in memory: a replay of a few
    hundred CC-NEWS files passes millions of responses and needs none of them held.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "" = a temporary database on disk, gone at close
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, file INTEGER, offset INTEGER,"
                         " record_id TEXT) WITHOUT ROWID")
        self._files: list[str] = []
        self._file_numbers: dict[str, int] = {}
        self.pending: list[_RevisitRef] = []

    def close(self) -> None:
        self._db.close()

    def _remember(self, keys: list[tuple[str, bool]], path: str, location: RecordLocation) -> None:
        number = self._file_numbers.setdefault(path, len(self._files))
        if number == len(self._files):
            self._files.append(path)
        for key, latest in keys:
            verb = "REPLACE" if latest else "IGNORE"
            self._db.execute("INSERT OR %s INTO seen VALUES (?, ?, ?, ?)" % verb,
                             (key, number, location.offset, location.record_id))

    def note(self, response: ArchivedResponse, path: str, record_id: str) -> None:
        location = response.location
        keys = [("id " + record_id, False)] if record_id else []
        if location.payload_digest:
            keys.append((_digest_key(location.payload_digest), False))  # the first capture
        if response.status == 200:
            keys.append(("capture %s %s" % (response.url, location.date), False))
            keys.append(("url " + response.url, True))  # the latest capture
        self._remember(keys, path, location)

    def resolve(self, revisit: _RevisitRef) -> ArchivedResponse | None:
        for key in revisit.keys():
            row = self._db.execute("SELECT file, offset, record_id FROM seen WHERE key = ?",
                                   (key,)).fetchone()
            if row is None:
                continue
            path = self._files[row[0]]
            try:
                original = read_record_at(path, row[1], row[2])
            except (WarcFormatError, OSError) as err:
                logger.warning("cannot read the original of revisit %s: %s",
                               revisit.response.url, err)
                return None
            own = revisit.response
            if own.location.record_id:  # a later revisit may refer to this one
                self._remember([("id " + own.location.record_id, False)], path, original.location)
            if revisit.not_modified or not own.headers:
                return replace(own, status=original.status, headers=original.headers,
                               payload=original.payload, codings=original.codings,
                               refers_to=original.location)
            return replace(own, payload=original.payload, codings=original.codings,
                           refers_to=original.location)
        return None

    def resolve_pending(self, report: ReadReport) -> Iterator[ArchivedResponse]:
        """The revisits whose originals came after them; count the ones whose never came."""
        pending, self.pending = self.pending, []
        for revisit in pending:
            replayed = self.resolve(revisit)
            if replayed is None:
                logger.debug("revisit of %s: its original is not in the input",
                             revisit.response.url)
                report.skipped["revisit without its original"] += 1
            else:
                report.revisits += 1
                yield replayed
        if report.skipped["revisit without its original"]:
            logger.info("%d revisit records refer to captures not in the input; not replayed",
                        report.skipped["revisit without its original"])
