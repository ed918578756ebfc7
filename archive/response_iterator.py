"""The walk over WARC files (warcio's archiveiterator.py): every HTTP response in them, revisits resolved."""
from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from archive.archived_response import ArchivedResponse, response_from
from archive.codings import MAX_DECODED
from archive.exceptions import WarcFormatError
from archive.gzip_members import GzipMembers
from archive.records import RecordEntry, read_entries
from archive.revisit_resolver import Originals, RevisitRef
from archive.warc_files import find_warc_files, known_format

logger = logging.getLogger(__name__)

TRUNCATED = "truncated record"  # ReadReport.skipped key of responses marked WARC-Truncated
TOO_BIG = "payload too big"  # ReadReport.skipped key of responses past the reader's bound


@dataclass
class ReadReport:
    """What reading skipped: one entry per unreadable spot, with file and offset."""

    problems: list[WarcFormatError] = field(default_factory=list)
    files: int = 0
    records: int = 0
    revisits: int = 0  # revisit records handed on with their original's body
    skipped: Counter[str] = field(default_factory=Counter)  # responses not handed on, by reason


def iter_responses(
    paths: Iterable[str], report: ReadReport | None = None, max_payload: int = MAX_DECODED
) -> Iterator[ArchivedResponse]:
    """Yield every HTTP response record in the files, in file order, bodies decoded.

    Request, metadata, resource (`dns:`, `urn:pageinfo:`), warcinfo, conversion and
    continuation records are read past, and so are responses marked `WARC-Truncated`
    (a body cut at a size or time limit is not the page), counted in `report.skipped`
    under `TRUNCATED`. A revisit comes out as described on
    `ArchivedResponse`, in its place when its original came before it, else after the
    last file; a revisit whose original is not in the input is counted in
    `report.skipped`; so is a response whose payload is bigger than `max_payload`
    (the crawl's DOWNLOAD_MAXSIZE: no more is read into memory), under `TOO_BIG`.

    Never raises on what a file holds. Each unreadable spot (a record that cannot be read
    or lacks what it needs: WARC-Target-URI, WARC-Date, a valid Content-Length, an HTTP
    status; a corrupt gzip member; bytes that are no record) goes into `report.problems`,
    named by file and offset, and reading goes on: with the next line that starts a WARC
    record, the next gzip member (found by search after a corrupt one), the next file.

    A record's `location` is the offset and length of its gzip member (one record per
    member, as warcio writes) or, in a plain file, of the record itself. A record that
    shares its gzip member with others (wget-style files do not; some tools gzip a whole
    file as one stream) gets that member's offset and a length that covers the member
    at least up to this record: `read_record_at(path, offset, record_id)` finds it there.
    """
    report = report if report is not None else ReadReport()
    originals = Originals()
    try:
        for path in find_warc_files(paths):
            report.files += 1
            yield from _iter_file(path, report, originals, max_payload)
        yield from _resolve_pending(originals, report)
        if report.skipped[TRUNCATED]:
            logger.info("%d responses marked WARC-Truncated (cut short when captured); not replayed",
                        report.skipped[TRUNCATED])
    finally:
        originals.close()


def _iter_file(
    path: str, report: ReadReport, originals: Originals, max_payload: int
) -> Iterator[ArchivedResponse]:
    name = os.path.basename(path)
    for found in iter_records(path, max_payload):
        if isinstance(found, WarcFormatError):
            _note(found, report)
            continue
        report.records += 1
        try:
            yield from _handed_on(found, path, name, report, originals, max_payload)
        except (ValueError, TypeError, AttributeError, LookupError) as err:  # hostile values
            _note(WarcFormatError(path, found.offset, "record unreadable (%s: %s)"
                                  % (type(err).__name__, str(err)[:120])), report)


def iter_records(path: str, max_payload: int = MAX_DECODED) -> Iterator[RecordEntry | WarcFormatError]:
    """Every record of the file, of any type, with its place, and a WarcFormatError for each
    unreadable spot, reading on after it (as `iter_responses` does); never raises."""
    try:
        with open(path, "rb") as stream:
            members = GzipMembers(stream, 0, path)
            while True:  # each step reads one gzip member (all of a plain file), or dies with it
                damaged = False
                for found in read_entries(members, path, known_format(path), max_payload):
                    damaged = damaged or isinstance(found, WarcFormatError)
                    yield found
                if not members.gzipped:
                    return
                if members.cut:
                    if not damaged:
                        yield WarcFormatError(path, members.start, "gzip member cut short")
                    return
                more, gap = members.next_member()
                if gap is not None and not damaged and not members.corrupt:
                    yield WarcFormatError(path, gap[0], "%d bytes that are no gzip member" % gap[1])
                if not more:
                    return
    except OSError as err:
        yield WarcFormatError(path, 0, err.strerror or str(err))


def _note(problem: WarcFormatError, report: ReadReport) -> None:
    logger.warning("unreadable WARC data: %s", problem)
    report.problems.append(problem)


def _status(entry: RecordEntry) -> int | None:
    """The HTTP status code of the record's head; None if it has no head or a broken one."""
    if entry.http is None:
        return None
    code = (entry.http.get_statuscode() or "").strip()
    return int(code) if len(code) == 3 and code.isascii() and code.isdigit() and code[0] in "12345" else None


def _handed_on(
    entry: RecordEntry, path: str, name: str, report: ReadReport, originals: Originals, max_payload: int
) -> Iterator[ArchivedResponse]:
    if entry.rec_type not in ("response", "revisit"):
        return  # requests, metadata, resources, warcinfo, conversion, continuation
    target = entry.warc("WARC-Target-URI")
    if not target:  # a damaged head: which page it holds is not known
        _note(WarcFormatError(path, entry.offset, "%s record without WARC-Target-URI" % entry.rec_type), report)
        return
    http_target = target.lstrip("<").startswith(("http:", "https:"))
    if entry.http is None and not (entry.rec_type == "revisit" and http_target):
        return  # dns: and other records that hold no HTTP message
    if not entry.warc("WARC-Date"):
        _note(WarcFormatError(path, entry.offset, "%s record without WARC-Date" % entry.rec_type), report)
        return
    if entry.http is not None and _status(entry) is None and (entry.rec_type == "response" or entry.http.protocol):
        head = str(entry.http.protocol + " " + entry.http.statusline).strip()[:60]
        _note(WarcFormatError(path, entry.offset, "%s record with a broken HTTP head (%r)"
                              % (entry.rec_type, head)), report)
        return
    if entry.warc("WARC-Segment-Number"):
        report.skipped["segmented record"] += 1  # its payload continues in other records
        return
    if entry.rec_type == "response" and entry.warc("WARC-Truncated"):
        # a body cut at a size or time limit (or by a hang-up) is not the page
        logger.debug("%s at offset %d: %s cut short (WARC-Truncated: %s); not replayed",
                     path, entry.offset, target, entry.warc("WARC-Truncated"))
        report.skipped[TRUNCATED] += 1
        return
    if entry.too_big:
        if not report.skipped[TOO_BIG]:
            logger.warning("%s at offset %d: the payload of %s is bigger than %d bytes; not replayed"
                           " (further ones are only counted)", path, entry.offset, target, max_payload)
        report.skipped[TOO_BIG] += 1
        return
    response = response_from(entry, name)
    if entry.rec_type == "response":
        originals.note(response, path, entry.record_id)
        yield response
        return
    revisit = RevisitRef(
        response, entry.warc("WARC-Profile"), entry.warc("WARC-Refers-To"),
        entry.warc("WARC-Refers-To-Target-URI"), entry.warc("WARC-Refers-To-Date"))
    replayed = originals.resolve(revisit)
    if replayed is None:
        originals.pending.append(revisit)
    else:
        report.revisits += 1
        yield replayed


def _resolve_pending(originals: Originals, report: ReadReport) -> Iterator[ArchivedResponse]:
    """The revisits whose originals came after them; count the ones whose never came."""
    pending, originals.pending = originals.pending, []
    for revisit in pending:
        replayed = originals.resolve(revisit)
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
