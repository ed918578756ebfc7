"""What reading hands on: the archived response of a record, and the one record at an offset."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

from archive.codings import MAX_DECODED, dechunk, decode_payload
from archive.exceptions import WarcFormatError
from archive.gzip_members import GzipMembers
from archive.records import RecordEntry, read_entries
from archive.warc import RecordLocation
from archive.warc_files import known_format


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
        """The payload with its codings undone (on first use: replay leaves that to workers); a
        body that decodes past the crawl's DOWNLOAD_MAXSIZE default raises DecodedTooBig."""
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


def read_record_at(
    path: str, offset: int, record_id: str | None = None, max_payload: int = MAX_DECODED
) -> ArchivedResponse:
    """Read the response record that starts at `offset` (what an item's `warc` points at).

    With `record_id`, the record of that id in the gzip member at `offset` (which may
    hold several). A revisit comes back as stored, without a body. Anything else there
    (damage, a payload past `max_payload`) is a WarcFormatError naming file and offset.
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        members = GzipMembers(stream, offset, path)
        for entry in read_entries(members, path, known_format(path), max_payload):
            if isinstance(entry, WarcFormatError):
                raise WarcFormatError(path, offset, "no WARC record here (%s)" % entry.problem)
            if record_id is None or entry.record_id == record_id:
                if entry.http is None or entry.rec_type not in ("response", "revisit"):
                    raise WarcFormatError(path, offset, "no HTTP response record here")
                if entry.too_big:
                    raise WarcFormatError(path, offset, "a payload bigger than %d bytes" % max_payload)
                return response_from(entry, os.path.basename(path))
    raise WarcFormatError(path, offset, "no WARC record here" if record_id is None
                          else "no record %s here" % record_id)


def response_from(entry: RecordEntry, filename: str) -> ArchivedResponse:
    """The response (or revisit, as stored) that `entry` holds, found in the file `filename`."""
    payload, codings = _payload(entry)
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
        payload=payload,
        date=location.date,
        location=location,
        record_type=entry.rec_type,
        codings=codings,
    )


def _payload(entry: RecordEntry) -> tuple[bytes, tuple[str, ...]]:
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
