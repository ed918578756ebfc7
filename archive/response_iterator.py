"""The walk over WARC files (warcio's archiveiterator.py): every HTTP response in them, revisits resolved."""
from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from archive.archived_response import ArchivedResponse, response_from
from archive.codings import MAX_DECODED
from archive.exceptions import WarcFormatError
from archive.gzip_members import GzipMembers
from archive.payload_digests import MATCH, MISMATCH
from archive.records import RecordEntry, UnreadableData, read_entries
from archive.revisit_resolver import Originals, RevisitRef
from archive.warc_files import find_warc_files, known_format

logger = logging.getLogger(__name__)

TRUNCATED = "truncated record"  # ReadReport.skipped key of responses marked WARC-Truncated
TOO_BIG = "payload too big"  # ReadReport.skipped key of responses past the reader's bound


@dataclass
class ReadReport:
    """What reading skipped: one entry per unreadable spot, with file and offset; what it found
    odd but read whole (a wrong Content-Length); what the payload digests said."""

    problems: list[WarcFormatError] = field(default_factory=list)
    files: int = 0
    records: int = 0
    revisits: int = 0  # revisit records handed on with their original's body
    skipped: Counter[str] = field(default_factory=Counter)  # responses not handed on, by reason
    misframed: list[dict[str, object]] = field(default_factory=list)  # records read despite their length
    digests: Counter[str] = field(default_factory=Counter)  # match, mismatch, unchecked, absent
    digest_mismatches: list[dict[str, object]] = field(default_factory=list)
    digests_unchecked: Counter[str] = field(default_factory=Counter)  # by reason

    def stretches(self) -> list[dict[str, object]]:
        """Each unreadable stretch: file, offset, bytes skipped (None: not known), problem."""
        return [p.to_dict() if isinstance(p, UnreadableData) else
                {"file": p.filename, "offset": p.offset, "bytes": None, "problem": p.problem}
                for p in self.problems]

    def to_dict(self) -> dict[str, object]:
        """The reading part of a run report."""
        return {
            "files": self.files, "records": self.records,
            "skipped_stretches": self.stretches(),
            "skipped_bytes": sum(int(s["bytes"] or 0) for s in self.stretches()),  # type: ignore[call-overload]
            "misframed_records": self.misframed,
            "payload_digests": dict(sorted(self.digests.items())),
            "digest_mismatches": self.digest_mismatches,
            "digests_unchecked": dict(sorted(self.digests_unchecked.items())),
        }


def iter_responses(
    paths: Iterable[str], report: ReadReport | None = None, max_payload: int = MAX_DECODED,
    check_digests: bool = True,
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

    With `check_digests`, the WARC-Payload-Digest of every response and resource record is
    checked as the payload is read (as stored, or de-chunked when it is chunk-framed): a
    mismatch is logged and counted in `report.digest_mismatches` (file, offset, URI), and the
    record is handed on all the same; an algorithm hashlib does not know is counted unchecked.
    A record whose Content-Length is off but whose end the bytes show is read whole, logged
    and counted in `report.misframed`.
    """
    report = report if report is not None else ReadReport()
    originals = Originals()
    try:
        for path in find_warc_files(paths):
            report.files += 1
            yield from _iter_file(path, report, originals, max_payload, check_digests)
        yield from _resolve_pending(originals, report)
        if report.skipped[TRUNCATED]:
            logger.info("%d responses marked WARC-Truncated (cut short when captured); not replayed",
                        report.skipped[TRUNCATED])
    finally:
        originals.close()


def _iter_file(
    path: str, report: ReadReport, originals: Originals, max_payload: int, check_digests: bool
) -> Iterator[ArchivedResponse]:
    name = os.path.basename(path)
    for found in iter_records(path, max_payload, check_digests):
        if isinstance(found, WarcFormatError):
            _note(found, report)
            continue
        report.records += 1
        _tally(found, path, report, check_digests)
        try:
            yield from _handed_on(found, path, name, report, originals, max_payload)
        except (ValueError, TypeError, AttributeError, LookupError) as err:  # hostile values
            _note(UnreadableData(path, found.offset, "record unreadable (%s: %s)"
                                 % (type(err).__name__, str(err)[:120]), found.length), report)


def iter_records(
    path: str, max_payload: int = MAX_DECODED, check_digests: bool = False
) -> Iterator[RecordEntry | UnreadableData]:
    """Every record of the file, of any type, with its place, and an UnreadableData for each
    unreadable stretch, reading on after it (as `iter_responses` does); never raises."""
    try:
        with open(path, "rb") as stream:
            members = GzipMembers(stream, 0, path)
            while True:  # each step reads one gzip member (all of a plain file), or dies with it
                damaged, corrupt = False, None
                for found in read_entries(members, path, known_format(path), max_payload, check_digests):
                    damaged = damaged or isinstance(found, WarcFormatError)
                    if isinstance(found, UnreadableData) and found.length is None:
                        corrupt = found  # its length is known once the next member is found
                        continue
                    yield found
                if not members.gzipped:
                    return
                start = members.start
                if members.cut:
                    if corrupt is None and not damaged:
                        yield UnreadableData(path, start, "gzip member cut short", _size(stream) - start)
                    elif corrupt is not None:
                        corrupt.length = _size(stream) - start
                        yield corrupt
                    return
                more, gap = members.next_member()
                if corrupt is not None:
                    corrupt.length = (members.start if more else _size(stream)) - start
                    yield corrupt
                elif gap is not None and not damaged:
                    yield UnreadableData(path, gap[0], "%d bytes that are no gzip member" % gap[1], gap[1])
                if not more:
                    return
    except OSError as err:
        yield UnreadableData(path, 0, err.strerror or str(err))


def _size(stream: BinaryIO) -> int:
    return os.fstat(stream.fileno()).st_size


def _tally(entry: RecordEntry, path: str, report: ReadReport, check_digests: bool) -> None:
    """Count what reading found odd in a record it read whole: its length, its digest."""
    if entry.misframed:
        logger.warning("%s at offset %d: %s record %s: %s; read to where it really ends", path, entry.offset,
                       entry.rec_type, entry.warc("WARC-Target-URI") or entry.record_id, entry.misframed)
        report.misframed.append({"file": path, "offset": entry.offset, "type": entry.rec_type,
                                 "uri": entry.warc("WARC-Target-URI"), "problem": entry.misframed})
    if not check_digests or entry.rec_type not in ("response", "resource"):
        return
    verdict = entry.digest
    if verdict is None:
        report.digests["absent" if not entry.warc("WARC-Payload-Digest") else "unchecked"] += 1
        if entry.warc("WARC-Payload-Digest"):
            report.digests_unchecked["segmented record" if entry.warc("WARC-Segment-Number")
                                     else "ARC record"] += 1
        return
    report.digests[verdict.outcome] += 1
    if verdict.outcome == MISMATCH:
        uri = entry.warc("WARC-Target-URI").strip("<>")
        logger.warning("%s at offset %d: the payload of %s does not match its WARC-Payload-Digest %s"
                       " (replayed all the same)", path, entry.offset, uri, verdict.declared)
        report.digest_mismatches.append({"file": path, "offset": entry.offset, "uri": uri,
                                         "record_id": entry.record_id, "declared": verdict.declared})
    elif verdict.outcome != MATCH:
        if not report.digests_unchecked[verdict.reason]:
            logger.info("%s at offset %d: payload digest not checked: %s (further ones only counted)",
                        path, entry.offset, verdict.reason)
        report.digests_unchecked[verdict.reason] += 1


def _note(problem: WarcFormatError, report: ReadReport) -> None:
    length = getattr(problem, "length", None)
    logger.warning("unreadable WARC data: %s%s", problem, "" if length is None else " (%d bytes skipped)" % length)
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
        _note(UnreadableData(path, entry.offset, "%s record without WARC-Target-URI" % entry.rec_type,
                             entry.length), report)
        return
    http_target = target.lstrip("<").startswith(("http:", "https:"))
    if entry.http is None and not (entry.rec_type == "revisit" and http_target):
        return  # dns: and other records that hold no HTTP message
    if not entry.warc("WARC-Date"):
        _note(UnreadableData(path, entry.offset, "%s record without WARC-Date" % entry.rec_type, entry.length),
              report)
        return
    if entry.http is not None and _status(entry) is None and (entry.rec_type == "response" or entry.http.protocol):
        head = str(entry.http.protocol + " " + entry.http.statusline).strip()[:60]
        _note(UnreadableData(path, entry.offset, "%s record with a broken HTTP head (%r)"
                             % (entry.rec_type, head), entry.length), report)
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
