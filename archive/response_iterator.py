"""The walk over WARC files (warcio's archiveiterator.py): every HTTP response in them, revisits resolved."""
from __future__ import annotations

import logging
import os
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from warcio.exceptions import ArchiveLoadFailed

from archive.archived_response import ArchivedResponse, response_from
from archive.exceptions import WarcFormatError
from archive.gzip_members import GzipMembers
from archive.records import RecordEntry, read_entries
from archive.revisit_resolver import Originals, RevisitRef
from archive.warc_files import find_warc_files, known_format

logger = logging.getLogger(__name__)

TRUNCATED = "truncated record"  # ReadReport.skipped key of responses marked WARC-Truncated


@dataclass
class ReadReport:
    """What reading skipped: one entry per unreadable spot, with file and offset."""

    problems: list[WarcFormatError] = field(default_factory=list)
    files: int = 0
    records: int = 0
    revisits: int = 0  # revisit records handed on with their original's body
    skipped: Counter[str] = field(default_factory=Counter)  # responses not handed on, by reason


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
    originals = Originals()
    try:
        for path in find_warc_files(paths):
            report.files += 1
            yield from _iter_file(path, report, originals)
        yield from _resolve_pending(originals, report)
        if report.skipped[TRUNCATED]:
            logger.info("%d responses marked WARC-Truncated (cut short when captured); not replayed",
                        report.skipped[TRUNCATED])
    finally:
        originals.close()


def _iter_file(path: str, report: ReadReport, originals: Originals) -> Iterator[ArchivedResponse]:
    name = os.path.basename(path)
    members: GzipMembers | None = None
    try:
        with open(path, "rb") as stream:
            members = GzipMembers(stream, 0, path)
            while True:
                try:
                    for entry in read_entries(members, path, known_format(path)):
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


def _handed_on(
    entry: RecordEntry, path: str, name: str, report: ReadReport, originals: Originals
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
