"""Writes HTTP exchanges to rotating WARC files, byte for byte as they crossed the wire.

warcio builds the records (headers, digests, framing); we hand it the HTTP head bytes as
received, because its StatusAndHeaders would re-serialize them (percent-encoding non-ASCII
values), and we gzip each record ourselves as one member so that a record can be read back
by offset and the compression level is ours to choose.

Level 6 for records whose body is plain (HTML compresses to ~19% of its size: level 1 gives 23%
at a third of the CPU, level 9 19.1% at 1.5 times it). A response whose body came
content-encoded (gzip, br, ...) is stored in a gzip member at level 0: deflating compressed
bytes again saves ~0.1% of their size for ~1.8 ms of CPU per 60 KB body (measured on the
evaluation pages), and the crawl is CPU-bound.
"""
from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import re
import socket
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter as _WarcioWriter

from archive.exceptions import ArchiveError
from archive.moments import utc_now
from archive.writes import WriteFailed, cut_back, write_all

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
_CONTENT_ENCODED = re.compile(rb"^content-encoding:[ \t]*(?!identity\b)[!-~]", re.IGNORECASE | re.MULTILINE)
# Bodies that are compressed by their format (photos, web fonts, media, archives): deflating them
# again gains nothing and cost a requisite crawl most of its extra CPU (bench row crawl/requisites)
_COMPRESSED_TYPE = re.compile(
    rb"^content-type:[ \t]*(?:image/(?:jpeg|pjpeg|png|gif|webp|avif|heic|heif|jxl)"
    rb"|font/(?:woff2?)|application/(?:font-woff2?|x-font-woff|zip|gzip|x-gzip|pdf|wasm)"
    rb"|video/|audio/)", re.IGNORECASE | re.MULTILINE)
PROFILE_IDENTICAL = {
    "WARC/1.0": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
    "WARC/1.1": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
}
PROFILE_NOT_MODIFIED = {
    "WARC/1.0": "http://netpreserve.org/warc/1.0/revisit/server-not-modified",
    "WARC/1.1": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
SPECIFICATIONS = {
    "WARC/1.0": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
    "WARC/1.1": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
}

Clock = Callable[[], datetime]
IdMaker = Callable[[], str]


@dataclass
class HttpExchange:
    """One request and its response, as bytes that crossed the wire (bodies transfer-decoded)."""

    url: str
    request_head: bytes
    response_head: bytes
    body: bytes = b""
    request_body: bytes = b""
    ip_address: str | None = None
    protocol: str | None = None
    truncated: str | None = None  # WARC-Truncated reason: "length", "time", "disconnect"
    date: datetime | None = None  # when the response arrived; the writer's clock if None


@dataclass(frozen=True)
class RecordLocation:
    """Where a record sits: enough to read it back with one seek."""

    filename: str
    offset: int
    length: int
    record_id: str
    date: str = ""  # WARC-Date of the record
    payload_digest: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "filename": self.filename,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
        }


def build_response_head(
    status: int, reason: str | bytes, headers: list[tuple[bytes, bytes]], version: bytes = b"HTTP/1.1"
) -> bytes:
    """Serialize a status line and header lines, keeping every value's bytes."""
    reason_b = reason.encode("latin-1") if isinstance(reason, str) else reason
    line = b"%s %d %s" % (version, status, reason_b) if reason_b else b"%s %d" % (version, status)
    return _join_head(line, headers)


def build_request_head(method: str, target: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """Serialize a request line (origin-form target: path and query) and header lines."""
    line = b"%s %s HTTP/1.1" % (method.encode("ascii"), target.encode("ascii", "replace"))
    return _join_head(line, headers)


def _join_head(first_line: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = [first_line] + [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def format_fields(warc_version: str) -> dict[str, str]:
    """The warcinfo fields that name the format a file is written in ("1.0" or "WARC/1.0", ...)."""
    version = warc_version if warc_version.startswith("WARC/") else "WARC/" + warc_version
    if version not in SPECIFICATIONS:
        raise ArchiveError("unsupported WARC version %r" % warc_version)
    return {"format": "WARC File Format %s" % version[len("WARC/"):], "conformsTo": SPECIFICATIONS[version]}


def file_stamp(dt: datetime) -> str:
    """The 17-digit UTC timestamp of a WARC file name (yyyyMMddHHmmssSSS: Heritrix, WARC annex C)."""
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y%m%d%H%M%S") + "%03d" % (dt.microsecond // 1000)


def make_record_id() -> str:
    return "<urn:uuid:%s>" % uuid.uuid4()


def warc_date(dt: datetime, use_micros: bool = True) -> str:
    """WARC date, always UTC: microseconds for WARC/1.1, whole seconds as WARC/1.0 demands."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return str(datetime_to_iso_date(dt, use_micros=use_micros))


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for these bytes (sha1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class _RawHead(StatusAndHeaders):  # type: ignore[misc]  # warcio ships no types
    """An HTTP head that warcio writes as the given bytes instead of re-serializing it."""

    def __init__(self, raw: bytes) -> None:
        first, _, _ = raw.partition(b"\r\n")
        super().__init__(first.decode("latin-1"), [], protocol="")
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        return None  # keep the bytes as received


class _RecordBuilder(_WarcioWriter):  # type: ignore[misc]  # warcio ships no types
    """warcio's writer with our clock and record ids, writing plain records to a buffer."""

    def __init__(self, warc_version: str, make_id: IdMaker) -> None:
        self.buffer = io.BytesIO()
        super().__init__(self.buffer, gzip=False, warc_version=warc_version)
        self._id_maker = make_id

    def _make_warc_id(self) -> str:
        return self._id_maker()

    def serialize(self, record: object) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.write_record(record)
        return self.buffer.getvalue()


@dataclass
class _OpenFile:
    path: str  # final name; on disk with OPEN_SUFFIX until closed
    fd: int
    size: int = 0
    records: int = 0


@dataclass
class WarcWriter:
    """Writes exchanges into `<prefix>-<timestamp>-<serial>-<host>.warc.gz` files in `directory`.

    The timestamp is when the file was opened, UTC, in the 17 digits Heritrix and the WARC
    annex use (yyyyMMddHHmmssSSS: to the millisecond). Files sort by name in the order they
    were written: the serial orders files opened in the same millisecond, and a file's stamp is
    never earlier than the one before it (a clock set back does not reorder them). Older files
    named with 20 digits (to the microsecond) sort among them by time all the same.

    Files are written as `*.open` and renamed when closed; a new file starts when the next
    record would pass `max_size`. Every record goes to the OS as soon as it is written.

    A write that fails (a full disk, EIO) is cut off: the file is truncated back to its last
    whole record (if even that fails it stays `*.open`, for `repair`), and `WriteFailed` names
    the file and the cause. The writer takes no more records after that: its run stops.
    """

    directory: str
    prefix: str = "newsarchive"
    host: str = field(default_factory=socket.gethostname)
    max_size: int = 1_000_000_000
    gzip: bool = True
    compress_level: int = 6
    encoded_compress_level: int = 0  # for response bodies compressed already (_compressed_body)
    warc_version: str = "WARC/1.1"
    info: Mapping[str, str] = field(default_factory=dict)
    clock: Clock = utc_now
    make_id: IdMaker = make_record_id
    _serial: int = field(default=0, init=False)
    _last_stamp: str = field(default="", init=False)
    _current: _OpenFile | None = field(default=None, init=False, repr=False)
    closed_files: list[str] = field(default_factory=list, init=False)
    failure: WriteFailed | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if not self.warc_version.startswith("WARC/"):
            self.warc_version = "WARC/" + self.warc_version
        if self.warc_version not in PROFILE_IDENTICAL:
            raise ArchiveError("unsupported WARC version %r" % self.warc_version)
        claimed = {k: v for k, v in self.info.items() if k in ("format", "conformsTo")}
        if claimed and claimed != {k: v for k, v in format_fields(self.warc_version).items() if k in claimed}:
            raise ArchiveError("warcinfo fields %r do not name %s, the version written" % (claimed, self.warc_version))
        self.host = re.sub(r"[^A-Za-z0-9.-]+", "-", self.host) or "localhost"
        self._builder = _RecordBuilder(self.warc_version, self.make_id)
        os.makedirs(self.directory, exist_ok=True)

    # -- public API -------------------------------------------------------------------
    def write_exchange(self, exchange: HttpExchange) -> RecordLocation:
        """Write the response record, then its request record; return the response's place."""
        date = self._date(exchange.date or self.clock())
        response_id = self.make_id()
        fields = self._target_fields("response", response_id, date, exchange)
        response = self._builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            warc_headers_dict=fields,
            http_headers=_RawHead(exchange.response_head),
        )
        request = self._request_record(exchange, date, response_id)
        level = self.encoded_compress_level if _compressed_body(exchange.response_head) else None
        response_bytes = self._encode(self._builder.serialize(response), level)
        request_bytes = self._encode(self._builder.serialize(request))
        location = self._append(
            [response_bytes, request_bytes], response_id, date,
            response.rec_headers.get_header("WARC-Payload-Digest") or "",
        )
        return location

    def write_revisit(
        self,
        exchange: HttpExchange,
        *,
        payload_digest: str,
        refers_to_id: str = "",
        refers_to_uri: str = "",
        refers_to_date: str = "",
        not_modified: bool = False,
    ) -> RecordLocation:
        """Write a revisit record (headers only) and its request; return the revisit's place."""
        date = self._date(exchange.date or self.clock())
        record_id = self.make_id()
        fields = self._target_fields("revisit", record_id, date, exchange)
        profiles = PROFILE_NOT_MODIFIED if not_modified else PROFILE_IDENTICAL
        fields["WARC-Profile"] = profiles[self.warc_version]
        if refers_to_id:
            fields["WARC-Refers-To"] = refers_to_id
        if refers_to_uri:
            fields["WARC-Refers-To-Target-URI"] = refers_to_uri
        if refers_to_date:
            fields["WARC-Refers-To-Date"] = refers_to_date
        if payload_digest:
            fields["WARC-Payload-Digest"] = payload_digest
        revisit = self._builder.create_warc_record(
            exchange.url, "revisit", warc_headers_dict=fields,
            http_headers=_RawHead(exchange.response_head),
        )
        request = self._request_record(exchange, date, record_id)
        chunks = [self._encode(self._builder.serialize(revisit)),
                  self._encode(self._builder.serialize(request))]
        return self._append(chunks, record_id, date, payload_digest)

    def close(self) -> list[str]:
        """Close the open file (renaming it to its final name); return every file closed so far.

        WriteFailed if it cannot be made durable: it then stays `*.open`, for `repair`."""
        if self._current is not None:
            current, self._current = self._current, None
            try:
                self._finish(current)
            except OSError as err:
                self.failure = WriteFailed(current.path + OPEN_SUFFIX, err)
                raise self.failure from err
            logger.info("closed WARC %s (%d records, %d bytes)", current.path, current.records, current.size)
        return list(self.closed_files)

    @property
    def current_path(self) -> str | None:
        return self._current.path if self._current else None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records ----------------------------------------------------------------------
    def _date(self, dt: datetime) -> str:
        return warc_date(dt, use_micros=self.warc_version != "WARC/1.0")

    def _target_fields(
        self, rec_type: str, record_id: str, date: str, exchange: HttpExchange
    ) -> dict[str, str]:
        fields = {"WARC-Type": rec_type, "WARC-Record-ID": record_id, "WARC-Date": date}
        fields["WARC-Target-URI"] = exchange.url
        if exchange.ip_address:
            fields["WARC-IP-Address"] = exchange.ip_address
        if exchange.protocol and self.warc_version == "WARC/1.1":
            fields["WARC-Protocol"] = exchange.protocol.lower()
        if exchange.truncated and rec_type == "response":
            fields["WARC-Truncated"] = exchange.truncated
        return fields

    def _request_record(self, exchange: HttpExchange, date: str, concurrent_to: str) -> object:
        fields = {
            "WARC-Type": "request",
            "WARC-Record-ID": self.make_id(),
            "WARC-Date": date,
            "WARC-Target-URI": exchange.url,
            "WARC-Concurrent-To": concurrent_to,
        }
        if exchange.ip_address:
            fields["WARC-IP-Address"] = exchange.ip_address
        return self._builder.create_warc_record(
            exchange.url, "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict=fields,
            http_headers=_RawHead(exchange.request_head),
        )

    def _warcinfo(self, filename: str) -> bytes:
        body = "".join("%s: %s\r\n" % (k, v) for k, v in self.info.items() if v).encode("utf-8")
        fields = {
            "WARC-Type": "warcinfo",
            "WARC-Record-ID": self.make_id(),
            "WARC-Date": self._date(self.clock()),
            "WARC-Filename": filename,
        }
        record = self._builder.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(body), length=len(body),
            warc_content_type="application/warc-fields", warc_headers_dict=fields,
        )
        return self._encode(self._builder.serialize(record))

    def _encode(self, record: bytes, level: int | None = None) -> bytes:
        if not self.gzip:
            return record
        level = self.compress_level if level is None else level
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return compressor.compress(record) + compressor.flush()

    # -- files ------------------------------------------------------------------------
    def _append(self, chunks: list[bytes], record_id: str, date: str, digest: str) -> RecordLocation:
        """Write the records of one exchange into one file; the first one's place is returned."""
        if self.failure is not None:
            raise self.failure
        total = sum(len(c) for c in chunks)
        current = self._current
        if current is not None and current.records and current.size + total > self.max_size:
            self.close()
            current = None
        if current is None:
            current = self._open_new()
        offset = current.size
        try:
            write_all(current.fd, b"".join(chunks), offset)
        except OSError as err:
            raise self._fail(current, err) from err
        current.size += total
        current.records += len(chunks)
        # a plain record's length leaves out its closing CRLFCRLF, as warcio and CDXJ count it
        length = len(chunks[0]) if self.gzip else len(chunks[0]) - 4
        return RecordLocation(
            filename=os.path.basename(current.path), offset=offset, length=length,
            record_id=record_id, date=date, payload_digest=digest,
        )

    def _open_new(self) -> _OpenFile:
        stamp = self._last_stamp = max(file_stamp(self.clock()), self._last_stamp)
        ext = ".warc.gz" if self.gzip else ".warc"
        while True:
            self._serial += 1
            name = "%s-%s-%05d-%s%s" % (self.prefix, stamp, self._serial, self.host, ext)
            path = os.path.join(self.directory, name)
            # never clobber another file: close() renames onto the final name
            if os.path.exists(path):
                continue
            try:
                fd = os.open(path + OPEN_SUFFIX, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            except OSError as err:
                self.failure = WriteFailed(path + OPEN_SUFFIX, err)
                raise self.failure from err
            break
        opened = _OpenFile(path=path, fd=fd)
        info = self._warcinfo(name)
        try:
            write_all(fd, info, 0)
        except OSError as err:
            raise self._fail(opened, err) from err
        opened.size = len(info)
        self._current = opened
        return opened

    def _fail(self, current: _OpenFile, err: OSError) -> WriteFailed:
        """Cut the file back to its last whole record and close it; the failure to raise."""
        self._current = None
        self.failure = WriteFailed(current.path + OPEN_SUFFIX, err)
        whole = cut_back(current.fd, current.size, current.path + OPEN_SUFFIX)
        if whole and current.size == 0:
            _close_quietly(current.fd)
            _unlink_quietly(current.path + OPEN_SUFFIX)  # not even its warcinfo record got in
        elif whole:
            try:  # it ends on a whole record: closed as any other, if the disk lets us
                self._finish(current)
            except OSError:
                pass  # stays `.open`: repair closes it
        else:
            _close_quietly(current.fd)
        return self.failure

    def _finish(self, current: _OpenFile) -> None:
        """Make the file durable, close it and give it its final name (the fd is closed either way)."""
        try:
            os.fsync(current.fd)
        finally:
            _close_quietly(current.fd)
        os.replace(current.path + OPEN_SUFFIX, current.path)
        self.closed_files.append(current.path)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _content_encoded(head: bytes) -> bool:
    """True when an HTTP head announces a Content-Encoding other than identity."""
    return _CONTENT_ENCODED.search(head) is not None


def _compressed_body(head: bytes) -> bool:
    """True when the body is compressed already: content-encoded, or of a compressed format."""
    return _content_encoded(head) or _COMPRESSED_TYPE.search(head) is not None
