"""Scrapy's scheduler, whose writes that fail stop the run in one line instead of a traceback.

The scheduler writes the frontier to disk (JOBDIR) as requests come, the seen-requests filter as
it goes, and the frontier's index (`requests.queue/active.json`) when the spider closes. On a
full disk or a read-only collection each of these failed with a traceback from the engine (and
a request could be lost with it). Here the run is told (`write_failed`: one line, the spider
closes with the reason); a request whose disk queue or seen-filter write failed is kept in
memory for the rest of the run; a frontier whose index could not be written is left as it is:
`crawl --resume` finds it damaged (crawler/jobdir.py) and starts again from the seeds.
"""
from __future__ import annotations

import logging
import sqlite3

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from twisted.internet.defer import Deferred

from archive.writes import as_write_failure
from crawler.run_extension import crawl_run

logger = logging.getLogger(__name__)


class FrontierScheduler(Scheduler):
    """SCHEDULER: Scrapy's own, with its failed writes told to the run."""

    def enqueue_request(self, request: Request) -> bool:
        try:
            return super().enqueue_request(request)
        except (OSError, sqlite3.Error) as err:  # the seen-requests filter could not write
            self._write_failed(err, getattr(self.df, "path", self.dqdir or ""))
            self._mqpush(request)  # not lost for this run: it is stopping, and will be told so
            assert self.stats is not None
            self.stats.inc_value("scheduler/enqueued/memory")
            self.stats.inc_value("scheduler/enqueued")
            return True

    def _dqpush(self, request: Request) -> bool:
        try:
            return super()._dqpush(request)
        except OSError as err:  # False: Scrapy keeps it in memory instead
            self._write_failed(err, self.dqdir or "")
            return False

    def close(self, reason: str) -> Deferred[None] | None:
        """Scrapy's close: the frontier saved to disk with its index, then the seen filter closed."""
        if self.dqs is not None and self.dqdir:
            try:
                self._write_dqs_state(self.dqdir, self.dqs.close())
            except OSError as err:  # a queue or the index cut short: --resume finds it and rebuilds
                self._write_failed(err, self.dqdir)
        return self.df.close(reason)

    def _write_failed(self, error: OSError | sqlite3.Error, path: str) -> None:
        failure = as_write_failure(error, path)
        if failure is None or self.crawler is None:
            raise error
        crawl_run(self.crawler).write_failed(failure)
