"""What every component of one run shares, crawl or replay: no Scrapy here, so that replay,
which reads WARCs and never fetches, does not pay for importing it. A run begins by taking the
collection's writer lock and putting right what runs that did not end left behind."""
from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from archive.collection import Collection, CollectionLock
from archive.exceptions import ArchiveError
from archive.index import complete_index
from archive.outcome import Outcome
from archive.repair import Repaired, repair_directory
from archive.store import Store
from archive.writes import WriteFailed

__all__ = ["Outcome", "RepairReport", "RunContext", "repair_collection"]

logger = logging.getLogger(__name__)

REPORTED_COUNTS = ("requests", "articles", "duplicates", "errors")  # kept with the run in the store


@dataclass(frozen=True)
class RepairReport:
    """What putting a collection right did: WARC files closed, index lines added, runs ended."""

    files: list[Repaired] = field(default_factory=list)
    index_lines_added: int = 0
    interrupted_runs: list[str] = field(default_factory=list)
    index_error: str | None = None  # the index could not be completed (`newsarchive index` rebuilds it)

    def __bool__(self) -> bool:
        return bool(self.files or self.index_lines_added or self.interrupted_runs or self.index_error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [{"file": os.path.basename(r.path), "records": r.records, "kept_bytes": r.kept_bytes,
                       "dropped_bytes": r.dropped_bytes} for r in self.files],
            "index_lines_added": self.index_lines_added,
            "interrupted_runs": self.interrupted_runs,
            "index_error": self.index_error,
        }


def repair_collection(collection: Collection, store: Store, current_run: str | None = None, *,
                      index_write_fatal: bool = True) -> RepairReport:
    """Close the WARC files runs that did not end left open, index every WARC the index lacks and
    mark those runs (and scheduled job runs other than `current_run`) interrupted.

    An index that cannot be completed is the report's `index_error`: a WARC the indexer cannot read
    must not stop every later run. An index that cannot be written (a full disk) raises WriteFailed
    unless `index_write_fatal` is false: a run may still begin on a nearly full disk.

    Only call this holding the collection's writer lock: then no other run is alive."""
    files = repair_directory(collection.archive_dir)
    index_error = None
    try:
        added = complete_index(collection.indexes_dir, collection.warc_files())
    except ArchiveError as err:
        if isinstance(err, WriteFailed) and index_write_fatal:
            raise
        logger.error("could not complete %s: %s", collection.indexes_dir, err)
        added, index_error = 0, str(err)
    interrupted = store.interrupt_unfinished(except_run=current_run)
    if interrupted:
        logger.warning("runs that did not end, now marked interrupted: %s", ", ".join(interrupted))
    return RepairReport(files, added, interrupted, index_error)


@dataclass
class RunContext:
    """What every component of one run shares: the collection, the run id and the store."""

    collection: Collection
    run_id: str
    store: Store
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    lock: CollectionLock | None = None
    repair: RepairReport = field(default_factory=RepairReport)

    @classmethod
    def begin(cls, collection: Collection, run_id: str, kind: str) -> RunContext:
        """Take the collection's writer lock, repair what runs that did not end left, record the run."""
        lock = collection.lock().acquire()
        store: Store | None = None
        try:
            store = collection.store()
            repair = repair_collection(collection, store, current_run=run_id, index_write_fatal=False)
            ctx = cls(collection, run_id, store, lock=lock, repair=repair)
            store.start_run(run_id, kind, ctx.started.isoformat())
        except BaseException:
            if store is not None:
                store.close()
            lock.release()
            raise
        return ctx

    def record_end(self, report: Mapping[str, Any]) -> str:
        """Write the run report (`runs/<run-id>.json`) and end the run in the store with its
        outcome; the report's path. A report that cannot be written (WriteFailed) still ends the run
        in the store, if the store can take it."""
        try:
            path = self.collection.write_run_report(self.run_id, dict(report))
        except WriteFailed:
            try:
                self._end_in_store(report)
            except (ArchiveError, sqlite3.Error) as err:  # the report's failure is the one to tell
                logger.error("could not end run %s in %s: %s", self.run_id, self.store.path, err)
            raise
        self._end_in_store(report)
        return path

    def _end_in_store(self, report: Mapping[str, Any]) -> None:
        self.store.end_run(self.run_id, str(report["finished"]), Outcome.of(report["outcome"]),
                           {k: report[k] for k in REPORTED_COUNTS if k in report})

    def end(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()
