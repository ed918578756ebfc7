"""The one owner of a crawl's run: a Scrapy extension that begins it (writer lock, repair, the
run recorded in the store) before any component needs it, and ends it (index, run report) once
everything else has closed. Components find the run with `run_context(crawler)`."""
from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timedelta, timezone

from scrapy import signals
from scrapy.crawler import Crawler

from archive.collection import Collection, new_run_id
from archive.exceptions import ArchiveError
from archive.index import update_index
from archive.run import RunContext
from crawler.report import build_report

logger = logging.getLogger(__name__)


class CrawlRun:
    """Extension: begins the run when the crawler is set up, ends it when the engine has stopped."""

    def __init__(self, crawler: Crawler, ctx: RunContext) -> None:
        self.crawler = crawler
        self.ctx = ctx

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
        return extension

    def engine_stopped(self) -> None:
        ctx = self.ctx
        stats = self.crawler.stats.get_stats()
        new_files = [os.path.join(ctx.collection.archive_dir, n) for n in stats.get("archive/run_files", [])]
        try:
            lines = update_index(ctx.collection.indexes_dir, new_files)
            self.crawler.stats.set_value("archive/index_lines", lines)
        except ArchiveError as err:  # the WARCs are safe; `newsarchive index` can rebuild later
            logger.error("could not update %s: %s", ctx.collection.indexes_dir, err)
        spider = self.crawler.spider
        report = build_report(ctx, stats, "crawl", datetime.now(timezone.utc), {
            "seeds": list(getattr(spider, "seed_urls", [])),
            "allow_private": self.crawler.settings.getbool("FETCH_ALLOW_PRIVATE"),  # for the --resume hint
        })
        jobdir = self.crawler.settings.get("JOBDIR")
        if jobdir and report["finish_reason"] == "finished":
            shutil.rmtree(jobdir, ignore_errors=True)  # done: the next --resume starts afresh
        path = ctx.record_end(report)
        ctx.end()
        logger.info("run report written to %s", path)


def run_context(crawler: Crawler) -> RunContext:
    """The crawl's run, as begun by the CrawlRun extension (enabled in crawler/settings.py)."""
    run = crawler.get_extension(CrawlRun)
    if run is None:
        raise RuntimeError("the CrawlRun extension is not enabled (EXTENSIONS in crawler/settings.py)")
    return run.ctx
