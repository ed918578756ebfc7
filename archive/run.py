"""What every component of one run shares, crawl or replay: no Scrapy here, so that replay,
which reads WARCs and never fetches, does not pay for importing it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from archive.collection import Collection, CollectionLock
from archive.repair import Repaired, repair_directory
from archive.store import Store

__all__ = ["RunContext"]


@dataclass
class RunContext:
    """What every component of one run shares: the collection, the run id and the store."""

    collection: Collection
    run_id: str
    store: Store
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    lock: CollectionLock | None = None
    repaired: list[Repaired] = field(default_factory=list)

    @classmethod
    def begin(cls, collection: Collection, run_id: str, kind: str) -> RunContext:
        """Take the collection's writer lock, close what a crashed run left open, record the run."""
        lock = collection.lock().acquire()
        try:
            repaired = repair_directory(collection.archive_dir)
            ctx = cls(collection, run_id, collection.store(), lock=lock, repaired=repaired)
        except BaseException:
            lock.release()
            raise
        ctx.store.start_run(run_id, kind, ctx.started.isoformat())
        return ctx

    def end(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()
