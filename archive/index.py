"""The collection's sorted CDXJ index (pywb's `indexes/index.cdxj`), kept by merge and atomic replace."""
from __future__ import annotations

import heapq
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator

from cdxj_indexer.main import CDXJIndexer

from archive.exceptions import ArchiveError

logger = logging.getLogger(__name__)

INDEX_NAME = "index.cdxj"


def index_lines(warc_paths: Iterable[str]) -> list[str]:
    """Sorted CDXJ lines (one per response, revisit, resource and metadata record)."""
    out = io.StringIO()
    paths = list(warc_paths)
    if not paths:
        return []
    try:
        CDXJIndexer(out, paths).process_all()
    except Exception as err:  # cdxj-indexer raises whatever its readers raise
        raise ArchiveError("cannot index %s: %s" % (", ".join(paths), err)) from err
    return sorted(line + "\n" for line in out.getvalue().splitlines() if line.strip() and replayable(line))


def replayable(line: str) -> bool:
    """Leave server-not-modified revisits out: pywb would replay them as an empty 304 and hide
    the last full capture; they stay in the WARCs, which remain the record of what happened."""
    return not ('"mime": "warc/revisit"' in line and '"status": "304"' in line)


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
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".cdxj", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            previous = None
            for line in lines:
                if line != previous:  # the same file indexed twice adds nothing
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


def update_index(indexes_dir: str, new_warcs: Iterable[str]) -> int:
    """Merge the new files' lines into `index.cdxj` (sorted) and return the line count."""
    path = os.path.join(indexes_dir, INDEX_NAME)
    new_lines = index_lines(new_warcs)
    return _replace_with(path, heapq.merge(_read_lines(path), new_lines))


def rebuild_index(indexes_dir: str, warcs: Iterable[str]) -> int:
    """Index every file anew and replace `index.cdxj`."""
    return _replace_with(os.path.join(indexes_dir, INDEX_NAME), index_lines(warcs))
