"""How a run ended: one vocabulary for the store, the run reports, the scheduler's jobs and `runs`."""
from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome"]


class Outcome(StrEnum):
    RUNNING = "running"  # not ended yet, or not known to have ended until the next run takes the lock
    FINISHED = "finished"  # it did its work
    INTERRUPTED = "interrupted"  # stopped early (Ctrl-C, SIGTERM, SIGKILL, a crash); a crawl can --resume
    FAILED = "failed"  # it ended without doing its work (nothing fetched, unreadable data, an error)
    REFUSED = "refused"  # a usage error: nothing was started

    @classmethod
    def of(cls, stored: str | None) -> Outcome:
        """The outcome a store row holds; no outcome is a run still going. Reads older stores too,
        which kept Scrapy's finish reason for runs and "ok" for scheduled jobs."""
        if stored is None:
            return cls.RUNNING
        if stored in cls._value2member_map_:
            return cls(stored)
        return cls.INTERRUPTED if stored in ("shutdown", "cancelled") else cls.FINISHED
