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
from dataclasses import dataclass

from archive.exceptions import ArchiveError

logger = logging.getLogger(__name__)

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


@dataclass(frozen=True)
class WaczPage:
    """One entry of `pages/pages.jsonl`: what ReplayWeb.page lists and searches."""

    url: str
    ts: str  # ISO 8601 capture time
    title: str
    text: str


def _write_pages(pages: Iterable[WaczPage], path: str) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(PAGES_HEADER) + "\n")
        for page in pages:
            fh.write(json.dumps({"url": page.url, "ts": page.ts, "title": page.title,
                                 "text": page.text}, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_wacz(warcs: list[str], pages: Iterable[WaczPage], output: str, *, title: str = "") -> int:
    """Write `output` (.wacz) from the WARC files and the pages; return the number of pages.

    An OSError that leaves this is a failure to write `output` (a full disk); one reading the
    inputs or the temporary page list is an ArchiveError naming the file."""
    if not warcs:
        raise ArchiveError("no WARC files to package")
    from wacz.main import main as wacz_main  # imported late: it pulls in frictionless

    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as tmp:
        pages_path = os.path.join(tmp, "pages.jsonl")
        try:
            count = _write_pages(pages, pages_path)
        except OSError as err:
            raise ArchiveError("cannot write the page list %s: %s" % (pages_path, err.strerror)) from err
        argv = ["create", "-o", output, "-p", pages_path, *warcs]
        if title:
            argv[1:1] = ["--title", title]
        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said), _warcinfo_indexed():
                code = wacz_main(argv)
        except OSError as err:
            _close_left_open(err)
            if err.filename not in (None, output):
                raise ArchiveError("py-wacz could not read %s: %s" % (err.filename, err.strerror)) from err
            raise
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
def _warcinfo_indexed() -> Iterator[None]:
    """Index warcinfo records for py-wacz's run only. py-wacz, when imported, appends "warcinfo" to
    cdxj-indexer's `CDXJIndexer.DEFAULT_RECORDS`, a list shared by every indexer of the process:
    an `index` after a `wacz` in one process (tests, a long-lived caller) then indexed them too
    (155 lines for 154 records), and leaked an unclosed temporary file for their digest."""
    from cdxj_indexer.main import CDXJIndexer

    records: list[str] = CDXJIndexer.DEFAULT_RECORDS
    if "warcinfo" not in records:
        records.append("warcinfo")
    try:
        yield
    finally:
        records[:] = [r for r in records if r != "warcinfo"]


def validate_wacz(path: str) -> tuple[bool, str]:
    """(valid?, what `wacz validate` said), run as its own process: py-wacz leaks file handles."""
    proc = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", path],
                          capture_output=True, text=True, check=False)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()
