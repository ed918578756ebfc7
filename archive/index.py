"""The collection's sorted CDXJ index (pywb's `indexes/index.cdxj`), kept by merge and atomic replace.

What a replay index leaves out is one rule, `replayable`, for this index and the WACZ's.
A write that fails (a full disk, a read-only collection) raises WriteFailed naming `index.cdxj`
(whichever temporary file beside it the OS refused): the old index stays as it was."""
from __future__ import annotations

import heapq
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from archive.exceptions import ArchiveError
from archive.writes import WriteFailed, temporary_beside

logger = logging.getLogger(__name__)

INDEX_NAME = "index.cdxj"
# New lines are sorted in runs of this many, each spilled to a temporary file next to the index
# and merged from there: indexing a run's WARCs takes the same memory after 1,000 pages as
# after 100,000 (kept whole, the lines cost the crawl process ~1.1 KB a page at its end).
RUN_LINES = 5000
MAX_RUNS = 64  # open run files at most: more are merged into one first
_FILENAME = re.compile(r'"filename": "([^"]+)"')


class _SortedRuns:
    """A text sink for CDXJIndexer that keeps the lines written to it as sorted runs of at most
    `run_lines` lines on disk (in `directory`); `lines()` merges them back in order."""

    def __init__(self, directory: str, run_lines: int | None = None, max_runs: int | None = None) -> None:
        self.directory = directory
        self.run_lines = run_lines or RUN_LINES
        self.max_runs = max_runs or MAX_RUNS
        self._lines: list[str] = []
        self._runs: list[str] = []

    def write(self, text: str) -> int:
        # the indexer writes whole lines: splitting each write splits the text as a whole would
        for line in text.splitlines():
            if line.strip():
                self._lines.append(line + "\n")
        if len(self._lines) >= self.run_lines:
            self._spill(sorted(self._lines))
            self._lines = []
        return len(text)

    def flush(self) -> None:
        pass

    def _spill(self, lines: Iterable[str]) -> None:
        try:
            path, fd = temporary_beside(os.path.join(self.directory, INDEX_NAME), "run")
            self._runs.append(path)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(lines)
        except OSError as err:  # raised through the indexer, which must not take it for a WARC's
            raise WriteFailed(os.path.join(self.directory, INDEX_NAME), err) from err
        if len(self._runs) >= self.max_runs:
            runs, self._runs = self._runs, []
            try:
                self._spill(self._merged(runs))
            finally:
                for run in runs:
                    os.unlink(run)

    @staticmethod
    def _merged(runs: list[str]) -> Iterator[str]:
        files = [open(run, encoding="utf-8") for run in runs]  # closed below
        try:
            yield from heapq.merge(*files)
        finally:
            for fh in files:
                fh.close()

    def lines(self) -> Iterator[str]:
        """Every line written, sorted (read once)."""
        return heapq.merge(self._merged(self._runs), sorted(self._lines))

    def close(self) -> None:
        for run in self._runs:
            if os.path.exists(run):
                os.unlink(run)
        self._runs, self._lines = [], []


def _index_into(sink: _SortedRuns, paths: list[str]) -> None:
    try:
        CDXJIndexer(sink, paths).process_all()
    except WriteFailed:  # the sink's, not a WARC's
        raise
    except Exception as err:  # cdxj-indexer raises whatever its readers raise
        raise ArchiveError("cannot index %s: %s" % (", ".join(paths), err)) from err


def replayable(fields: Mapping[str, Any]) -> bool:
    """Whether a capture belongs in a replay index, judged on its CDXJ fields (`mime`, `status`).

    A server-not-modified revisit does not: pywb and ReplayWeb.page replay a URL's latest capture,
    and would replay it as an empty 304, hiding the last full capture. It stays in the WARCs,
    which remain the record of what happened. An identical-payload revisit (a 200) replays the
    payload it refers to, and stays."""
    return not (fields.get("mime") == "warc/revisit" and str(fields.get("status")) == "304")


def replayable_line(line: str) -> bool:
    """`replayable` for one CDXJ line (`urlkey timestamp {json}`); a line it cannot read is kept."""
    if "304" not in line:  # most lines: no JSON to parse
        return True
    parts = line.split(" ", 2)
    try:
        fields = json.loads(parts[2]) if len(parts) == 3 else None
    except ValueError:
        return True
    return not isinstance(fields, dict) or replayable(fields)


class ReplayableOnly:
    """For an indexer built on cdxj-indexer's that writes its own index (py-wacz's, in a WACZ): a
    capture that is not `replayable` gets no line. Mixed in before the indexer class."""

    def _do_write(self, urlkey: str, ts: str, index: dict[str, Any], out: Any) -> None:
        if replayable(index):
            super()._do_write(urlkey, ts, index, out)  # type: ignore[misc]  # the indexer's


def _read_lines(path: str) -> Iterator[str]:
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield line if line.endswith("\n") else line + "\n"


def _replace_with(path: str, lines: Iterable[str]) -> int:
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    count = 0
    tmp, fd = temporary_beside(path, "tmp")  # renamed into place: mode 0666 less the umask, as open() gives
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            previous = None
            for line in lines:
                # the same file indexed twice adds nothing; an old index's lines (another tool's, or
                # merged before this rule) pass the same rule as new ones
                if line != previous and replayable_line(line):
                    fh.write(line)
                    count += 1
                previous = line
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return count


def _write_index(indexes_dir: str, warcs: Iterable[str], keep_old: bool) -> int:
    path = os.path.join(indexes_dir, INDEX_NAME)
    paths = list(warcs)
    try:
        os.makedirs(indexes_dir, exist_ok=True)
    except OSError as err:
        raise WriteFailed(path, err) from err
    sink = _SortedRuns(indexes_dir)  # runs on the collection's disk, not in a RAM-backed /tmp
    try:
        if paths:
            _index_into(sink, paths)
        new_lines = sink.lines()
        return _replace_with(path, heapq.merge(_read_lines(path), new_lines) if keep_old else new_lines)
    except OSError as err:  # the new index or a run file beside it (or the old one read back)
        raise WriteFailed(path, err) from err
    finally:
        sink.close()


def update_index(indexes_dir: str, new_warcs: Iterable[str]) -> int:
    """Merge the new files' lines into `index.cdxj` (sorted) and return the line count."""
    return _write_index(indexes_dir, new_warcs, keep_old=True)


def rebuild_index(indexes_dir: str, warcs: Iterable[str]) -> int:
    """Index every file anew and replace `index.cdxj`."""
    return _write_index(indexes_dir, warcs, keep_old=False)


def indexed_files(indexes_dir: str) -> tuple[set[str], int]:
    """The WARC file names `index.cdxj` has lines of, and the count of its lines a rewrite keeps."""
    names: set[str] = set()
    count = 0
    for line in _read_lines(os.path.join(indexes_dir, INDEX_NAME)):
        count += replayable_line(line)
        found = _FILENAME.search(line)
        if found:
            names.add(found.group(1))
    return names, count


def complete_index(indexes_dir: str, warcs: Iterable[str]) -> int:
    """Index the WARCs that have no line in `index.cdxj` yet and return the lines added.

    A run indexes its files when it ends; a run that did not end (killed, crashed) leaves its
    files, once repaired, out of the index until this finds them. A file indexed again adds
    nothing (its lines are already there), so a file with no replayable line is only read again."""
    names, before = indexed_files(indexes_dir)
    missing = [path for path in warcs if os.path.basename(path) not in names]
    if not missing:
        return 0
    return update_index(indexes_dir, missing) - before
