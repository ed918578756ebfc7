"""The one owner of a crawl's run: a Scrapy extension that begins it (writer lock, repair, the
run recorded in the store) before any component needs it, and ends it (index, run report) once
everything else has closed. Components find the run with `run_context(crawler)`.

A write that fails (a full disk, a read-only or failing device) stops the run: the first one is
logged in one line naming the file and the cause, the spider is closed with its reason
(`disk_full`, `read_only`, `write_error`), and the run ends as failed; the pages still in flight
that fail the same way are not told again with a traceback each."""
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
from archive.writes import WriteFailed, as_write_failure, failure_reason, listen
from crawler.jobdir import forget_seen
from crawler.report import build_report

logger = logging.getLogger(__name__)

# where Scrapy logs, with a traceback, what fails in a page's processing or while the spider closes
# (asyncio: a request the scheduler could not save to its disk queue, in a task of Scrapy's)
SCRAPY_ERROR_LOGGERS = ("scrapy.core.scraper", "scrapy.core.engine", "scrapy.utils.signal", "asyncio")


class CrawlRun:
    """Extension: begins the run when the crawler is set up, ends it when the engine has stopped."""

    def __init__(self, crawler: Crawler, ctx: RunContext) -> None:
        self.crawler = crawler
        self.ctx = ctx
        self.failure: WriteFailed | None = None  # the write that stopped the run
        self.report: dict[str, Any] | None = None  # as built, whether or not it could be written
        self.report_error: WriteFailed | None = None
        self._quiet = _OneLineWriteFailures(self)
        for name in SCRAPY_ERROR_LOGGERS:
            logging.getLogger(name).addFilter(self._quiet)
        self._stop_listening = listen(self.write_failed)

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
        if self.failure is not None:
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
        self._stop_listening()
        try:
            self._end_run()
        finally:
            for name in SCRAPY_ERROR_LOGGERS:
                logging.getLogger(name).removeFilter(self._quiet)

    def _end_run(self) -> None:
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
        except (ArchiveError, OSError, sqlite3.Error) as err:
            self.report_error = as_write_failure(err, ctx.collection.run_report_path(ctx.run_id)) or WriteFailed(
                ctx.collection.run_report_path(ctx.run_id), str(err))
            logger.error("could not end the run: %s", self.report_error)
        finally:
            try:
                ctx.end()
            except (ArchiveError, OSError, sqlite3.Error) as err:
                logger.error("could not close the run's store: %s", err)


class _OneLineWriteFailures(logging.Filter):
    """Scrapy logs a page that fails in processing, or a component that fails while the spider
    closes, with a traceback: a failed write is told in one line, its cause named, and once the
    run has stopped on one, the pages in flight that fail the same way are only counted."""

    def __init__(self, run: CrawlRun) -> None:
        super().__init__()
        self.run = run

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and failure_reason(error) is not None:
            if self.run.failure is not None:
                self.run.crawler.stats.inc_value("archive/write_failure_repeats")
                return False
            item = getattr(record, "item", None)
            what = "item of %s" % getattr(item, "url", "?") if item is not None else record.getMessage()
            record.msg, record.args = "%s: %s", (what[:200], error)
            record.exc_info, record.exc_text = None, None
        return True


def run_context(crawler: Crawler) -> RunContext:
    """The crawl's run, as begun by the CrawlRun extension (enabled in crawler/settings.py)."""
    run = crawler.get_extension(CrawlRun)
    if run is None:
        raise RuntimeError("the CrawlRun extension is not enabled (EXTENSIONS in crawler/settings.py)")
    return run.ctx
