"""The one owner of a crawl's run: a Scrapy extension that begins it (writer lock, repair, the
run recorded in the store) before any component needs it, and ends it (index, run report) once
everything else has closed. Components find the run with `run_context(crawler)`.

A write that fails (a full disk, a read-only or failing device) stops the run: the component whose
write failed tells it (`crawl_run(crawler).write_failed(...)`), the first failure is logged in one
line naming the file and the cause, the spider is closed with its reason (`disk_full`,
`read_only`, `write_error`), and the run ends as failed; the pages still in flight that fail the
same way are only counted (`archive/write_failure_repeats`)."""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from archive.collection import Collection, new_run_id
from archive.exceptions import ArchiveError
from archive.index import update_index
from archive.run import RunContext
from archive.writes import WriteFailed, as_write_failure
from crawler.jobdir import forget_seen
from crawler.report import build_report

logger = logging.getLogger(__name__)

class CrawlRun:
    """Extension: begins the run when the crawler is set up, ends it when the engine has stopped."""

    def __init__(self, crawler: Crawler, ctx: RunContext) -> None:
        self.crawler = crawler
        self.ctx = ctx
        self.failure: WriteFailed | None = None  # the write that stopped the run
        self.report: dict[str, Any] | None = None  # as built, whether or not it could be written
        self.report_error: WriteFailed | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRun:
        settings = crawler.settings
        collection = Collection.create(settings.get("ARCHIVE_ROOT"), settings.get("ARCHIVE_COLLECTION"))
        ctx = RunContext.begin(collection, settings.get("ARCHIVE_RUN_ID") or new_run_id(), "crawl")
        days = settings.getfloat("FETCH_RECRAWL_DAYS", 0)
        if days > 0:  # articles younger than this are fetched again to catch updates
            ctx.store.recrawl_since = (ctx.started - timedelta(days=days)).isoformat()
        extension = cls(crawler, ctx)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        return extension

    def write_failed(self, failure: WriteFailed) -> None:
        """A write failed: say so once and close the spider with the reason."""
        if self.failure is not None:  # a page in flight that met the same cause
            self.crawler.stats.inc_value("archive/write_failure_repeats")
            return
        self.failure = failure
        self.crawler.stats.set_value("archive/write_failure", str(failure))
        logger.error("%s: the crawl stops (%s)", failure, failure.reason)
        call_later(0, self._close_spider, failure.reason)  # not inside the write that failed

    def _close_spider(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def item_error(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        """A page's processing failed: if on a failed write (the store's too), the run stops."""
        self._check(failure.value)

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        self._check(failure.value)

    def _check(self, error: BaseException | None) -> None:
        failure = as_write_failure(error, self.ctx.collection.store_path) if error is not None else None
        if failure is not None:
            self.write_failed(failure)

    def engine_stopped(self) -> None:
        ctx = self.ctx
        stats = self.crawler.stats.get_stats()
        new_files = [os.path.join(ctx.collection.archive_dir, n) for n in stats.get("archive/run_files", [])]
        try:
            lines = update_index(ctx.collection.indexes_dir, new_files)
            self.crawler.stats.set_value("archive/index_lines", lines)
        except (ArchiveError, OSError) as err:  # the WARCs are safe; `newsarchive index` can rebuild later
            logger.error("could not update %s: %s", ctx.collection.indexes_dir,
                         err.strerror if isinstance(err, OSError) and err.strerror else err)
        spider = self.crawler.spider
        extra: dict[str, Any] = {
            "seeds": list(getattr(spider, "seed_urls", [])),
            "allow_private": self.crawler.settings.getbool("FETCH_ALLOW_PRIVATE"),  # for the --resume hint
        }
        if self.failure is not None:  # a failed run: its exit code is 1
            extra.update(problems=[str(self.failure)], write_failure={
                "file": self.failure.path, "cause": self.failure.cause, "reason": self.failure.reason})
        report = self.report = build_report(ctx, stats, "crawl", datetime.now(timezone.utc), extra)
        jobdir = self.crawler.settings.get("JOBDIR")
        if jobdir and report["finish_reason"] == "finished" and self.failure is None:
            shutil.rmtree(jobdir, ignore_errors=True)  # done: the next --resume starts afresh
        elif jobdir and self.failure is not None:
            # pages in flight when it stopped are counted as seen but lost their capture or item:
            # --resume must be free to fetch them again (the store skips articles already archived)
            forget_seen(jobdir)
        try:
            path = ctx.record_end(report)
            logger.info("run report written to %s", path)
        except WriteFailed as failure:  # the report (the run was ended in the store if it could be)
            self.report_error = failure
            logger.error("could not end the run: %s", failure)
        except (ArchiveError, OSError, sqlite3.Error) as err:  # the report is written, the store failed
            logger.error("could not end the run in its store: %s", as_write_failure(err, ctx.store.path) or err)
        finally:
            try:
                ctx.end()
            except (ArchiveError, OSError, sqlite3.Error) as err:
                logger.error("could not close the run's store: %s", err)


def crawl_run(crawler: Crawler) -> CrawlRun:
    """The CrawlRun extension of this crawl (enabled in crawler/settings.py)."""
    run = crawler.get_extension(CrawlRun)
    if run is None:
        raise RuntimeError("the CrawlRun extension is not enabled (EXTENSIONS in crawler/settings.py)")
    return run


def run_context(crawler: Crawler) -> RunContext:
    """The crawl's run, as begun by the CrawlRun extension."""
    return crawl_run(crawler).ctx
