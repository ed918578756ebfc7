"""Reads archived HTTP responses back out of WARC files, ours or anyone's."""
from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.exceptions import WarcFormatError
from archive.warc import RecordLocation

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
ARC_SUFFIXES = (".arc", ".arc.gz")


@dataclass
class ArchivedResponse:
    """One archived response: what replay feeds to the same chain a crawl uses."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # transfer- and content-decoded payload
    date: str  # WARC-Date
    location: RecordLocation
    record_type: str = "response"

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
    """Yield every HTTP response record in the files, in file order.

    A corrupt or truncated file yields the records before the bad spot; the spot goes
    into `report.problems` and reading goes on with the next file.
    """
    report = report if report is not None else ReadReport()
    for path in find_warc_files(paths):
        report.files += 1
        yield from _iter_file(path, report)


def _iter_file(path: str, report: ReadReport) -> Iterator[ArchivedResponse]:
    name = os.path.basename(path)
    offset = 0  # where the record being read starts
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            records = ArchiveIterator(stream, check_digests=False)
            for record in records:
                offset = records.offset
                # warcio makes records out of almost anything: a header cut before its
                # Content-Length, or any line of five words (an ARC header to it)
                if record.format == "warc" and record.length is None:
                    raise WarcFormatError(path, offset, "WARC header block without Content-Length")
                if record.format != "warc" and not path.lower().endswith(ARC_SUFFIXES):
                    raise WarcFormatError(path, offset, "no WARC record here")
                is_response = record.rec_type == "response" and record.http_headers is not None
                body = _payload(record, path, offset) if is_response else b""
                # warcio knows a record's place only once it has been read to its end
                records.read_to_end(record)
                missing = getattr(record.raw_stream, "limit", 0)
                if missing > 0:  # warcio hands out a cut record's bytes without complaint
                    raise WarcFormatError(
                        path, offset, "record cut short: %d bytes of its block are missing" % missing
                    )
                report.records += 1
                length = records.get_record_length()
                if is_response:
                    yield _response(record, name, offset, length, body)
                offset = records.offset
            # warcio stops without a word at a record whose header block is cut
            if offset < size:
                raise WarcFormatError(
                    path, offset, "%d bytes that are no complete WARC record" % (size - offset)
                )
    except WarcFormatError as problem:
        logger.warning("unreadable WARC data: %s", problem)
        report.problems.append(problem)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as err:
        problem = WarcFormatError(path, offset, str(err).strip() or type(err).__name__)
        logger.warning("unreadable WARC data: %s", problem)
        report.problems.append(problem)


def _payload(record: object, path: str, offset: int) -> bytes:
    """The body with transfer and content encodings removed; raw if a coding is broken."""
    try:
        return record.content_stream().read()  # type: ignore[attr-defined,no-any-return]
    except (OSError, EOFError, ValueError) as err:
        logger.warning("%s at offset %d: cannot decode body (%s); using it as stored", path, offset, err)
        return record.raw_stream.read()  # type: ignore[attr-defined,no-any-return]


def _response(record: object, filename: str, offset: int, length: int, body: bytes) -> ArchivedResponse:
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    url = (rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    location = RecordLocation(
        filename=filename,
        offset=offset,
        length=length,
        record_id=rec_headers.get_header("WARC-Record-ID") or "",
        date=rec_headers.get_header("WARC-Date") or "",
        payload_digest=rec_headers.get_header("WARC-Payload-Digest") or "",
    )
    return ArchivedResponse(
        url=url,
        status=status,
        headers=list(http.headers),
        body=body,
        date=location.date,
        location=location,
    )


def read_record_at(path: str, offset: int) -> ArchivedResponse:
    """Read the one response record that starts at `offset` (what an item's `warc` points at)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        records = ArchiveIterator(stream, check_digests=False)
        try:
            record = next(iter(records))
        except (StopIteration, ArchiveLoadFailed) as err:
            raise WarcFormatError(path, offset, "no WARC record here") from err
        body = _payload(record, path, offset) if record.http_headers else b""
        records.read_to_end(record)
        return _response(record, os.path.basename(path), offset, records.get_record_length(), body)
