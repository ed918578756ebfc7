"""Packages a collection's WARCs as a WACZ (for ReplayWeb.page) with py-wacz, the kept tool."""
from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from archive.exceptions import ArchiveError, WarcFormatError
from archive.index import ReplayableOnly
from archive.records import RecordEntry
from archive.response_iterator import iter_records
from archive.warc_files import ARC_SUFFIXES

logger = logging.getLogger(__name__)

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


@dataclass(frozen=True)
class WaczPage:
    """One entry of `pages/pages.jsonl`: what ReplayWeb.page lists and searches."""

    url: str
    ts: str  # ISO 8601 capture time
    title: str
    text: str


@dataclass
class WaczReport:
    """What packaging left out: pages without a capture time, unreadable spots of the WARCs."""

    pages_without_time: int = 0  # py-wacz needs one for each page it lists
    problems: list[WarcFormatError] = field(default_factory=list)  # each spot left out, by file and offset


@dataclass
class WaczProgress:
    """How far write_wacz has got, set as it goes, for a progress display reading from another
    thread: pages listed, then the WARC bytes checked, then py-wacz packaging."""

    phase: str = ""  # "listing pages", "checking WARC files", "packaging"
    pages: int = 0
    done: int = 0  # bytes of the WARC files checked so far
    problems: int = 0


def _capture_time(ts: str) -> str | None:
    """`ts` as the UTC timestamp py-wacz reads (it dies on anything else); None if it is no time."""
    try:
        moment = datetime.fromisoformat(ts.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_pages(pages: Iterable[WaczPage], path: str, report: WaczReport, progress: WaczProgress) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(PAGES_HEADER) + "\n")
        for page in pages:
            ts = _capture_time(page.ts)
            if ts is None:
                report.pages_without_time += 1
                continue
            fh.write(json.dumps({"url": page.url, "ts": ts, "title": page.title,
                                 "text": page.text}, ensure_ascii=False) + "\n")
            count += 1
            progress.pages = count
    return count


def _unindexable(entry: RecordEntry) -> str:
    """What a record lacks that py-wacz's indexer needs (it dies on it), or ""."""
    if entry.rec_type != "warcinfo" and not entry.warc("WARC-Target-URI"):
        return "WARC-Target-URI"
    return "" if entry.warc("WARC-Date") else "WARC-Date"


def _readable_copy(path: str, into: str, report: WaczReport, progress: WaczProgress) -> str:
    """`path` if py-wacz can read all of it; else a copy in `into`, under the same name, of the
    records it can (py-wacz dies on the first unreadable record), each spot left out named."""
    problems: list[WarcFormatError] = []
    kept: dict[int, int] = {}  # offset -> length of what is kept: records, or whole gzip members
    dropped: set[int] = set()  # gzip members that hold a spot left out
    checked = progress.done
    for found in iter_records(path, max_payload=0):  # (payloads are not needed: none is kept)
        progress.done = checked + found.offset
        if isinstance(found, WarcFormatError):
            problems.append(found)
            dropped.add(found.offset)
            continue
        lacks = _unindexable(found)
        if lacks:
            problems.append(WarcFormatError(path, found.offset, "%s record without %s" % (found.rec_type, lacks)))
            dropped.add(found.offset)
            continue
        kept[found.offset] = max(found.length, kept.get(found.offset, 0))
        progress.done = checked + found.offset + found.length
    if not problems:
        return path
    progress.problems += len(problems)
    for problem in problems:
        logger.warning("left out of the WACZ: %s", problem)
    report.problems.extend(problems)
    copy = os.path.join(into, os.path.basename(path))
    with open(path, "rb") as source, open(copy, "wb") as out:
        head = source.read(5)
        plain = not head.startswith(b"\x1f\x8b") and (head == b"WARC/" or not path.lower().endswith(".gz"))
        for offset, length in sorted(kept.items()):
            if offset in dropped:
                continue
            source.seek(offset)
            out.write(source.read(length))
            if plain and not path.lower().endswith(ARC_SUFFIXES):
                out.write(b"\r\n\r\n")  # a plain record's place ends before the blank lines after it
    return copy


def write_wacz(warcs: list[str], pages: Iterable[WaczPage], output: str, *, title: str = "",
               report: WaczReport | None = None, progress: WaczProgress | None = None) -> int:
    """Write `output` (.wacz) from the WARC files and the pages; return the number of pages.

    What cannot be packaged is left out and told in `report`: a page without a capture time,
    a WARC's unreadable spots (a damaged file goes in as a copy of the records that can be
    read). An OSError that leaves this is a failure to write `output` (a full disk); one
    reading the inputs or the temporary page list is an ArchiveError naming the file."""
    if not warcs:
        raise ArchiveError("no WARC files to package")
    report = report if report is not None else WaczReport()
    progress = progress if progress is not None else WaczProgress()
    from wacz.main import main as wacz_main  # imported late: it pulls in frictionless

    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as tmp:
        pages_path = os.path.join(tmp, "pages.jsonl")
        try:
            progress.phase = "listing pages"
            count = _write_pages(pages, pages_path, report, progress)
            os.mkdir(os.path.join(tmp, "warcs"))
            progress.phase = "checking WARC files"
            readable = [_readable_copy(warc, os.path.join(tmp, "warcs"), report, progress) for warc in warcs]
        except OSError as err:
            raise ArchiveError("cannot write %s: %s" % (err.filename or "a temporary file", err.strerror)) from err
        argv = ["create", "-o", output, "-p", pages_path, *readable]
        if title:
            argv[1:1] = ["--title", title]
        said = io.StringIO()
        progress.phase = "packaging"
        try:
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said), _py_wacz_indexing():
                code = wacz_main(argv)
        except OSError as err:
            _close_left_open(err)
            if err.filename not in (None, output):
                raise ArchiveError("py-wacz could not read %s: %s" % (err.filename, err.strerror)) from err
            raise
        except Exception as err:  # py-wacz and its indexer fail on data in ways they do not document
            _close_left_open(err)
            raise ArchiveError("py-wacz could not package %s: %s: %s" % (output, type(err).__name__, err)) from err
    if code not in (0, None):
        raise ArchiveError("py-wacz could not package %s: %s" % (output, said.getvalue().strip()[-500:]))
    logger.debug("py-wacz said: %s", said.getvalue())
    return count


def _close_left_open(err: BaseException) -> None:
    """Close the zip files py-wacz left open when it failed: else each fails again when collected,
    and Python prints that as a traceback ("Exception ignored in ZipFile.__del__")."""
    tb = err.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, zipfile.ZipFile):
                try:
                    value.close()
                except OSError:
                    pass  # the error being reported; the file is closed all the same
        tb = tb.tb_next


@contextlib.contextmanager
def _py_wacz_indexing() -> Iterator[None]:
    """py-wacz's `create` as the collection's index has it, for its run only:

    - its index leaves out what ours leaves out (`archive.index.replayable`): py-wacz indexes a
      304 revisit, and ReplayWeb.page then replays the latest capture of a listing after a
      conditional recrawl as a blank page; the WARCs it packages keep them whole;
    - warcinfo records are indexed for its run only. py-wacz, when imported, appends "warcinfo" to
      cdxj-indexer's `CDXJIndexer.DEFAULT_RECORDS`, a list shared by every indexer of the process:
      an `index` after a `wacz` in one process (tests, a long-lived caller) then indexed them too
      (155 lines for 154 records), and leaked an unclosed temporary file for their digest."""
    import wacz.main
    from cdxj_indexer.main import CDXJIndexer
    from wacz.waczindexer import WACZIndexer

    records: list[str] = CDXJIndexer.DEFAULT_RECORDS
    if "warcinfo" not in records:
        records.append("warcinfo")
    # create_wacz builds its indexer from the module's name
    wacz.main.WACZIndexer = type("ReplayableWaczIndexer", (ReplayableOnly, WACZIndexer), {})
    try:
        yield
    finally:
        wacz.main.WACZIndexer = WACZIndexer
        records[:] = [r for r in records if r != "warcinfo"]


def validate_wacz(path: str) -> tuple[bool, str]:
    """(valid?, what `wacz validate` said), run as its own process: py-wacz leaks file handles."""
    proc = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", path],
                          capture_output=True, text=True, check=False)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()
