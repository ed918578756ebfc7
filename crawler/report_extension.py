"""Scrapy extension: writes the run report when a crawl ends, after everything else has closed."""
from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone

from scrapy import signals
from scrapy.crawler import Crawler

from archive.exceptions import ArchiveError
from archive.index import update_index
from crawler.report import build_report
from pipelines.scrapy_adapters import run_context

logger = logging.getLogger(__name__)


class RunReport:
    """Extension: writes the run report and closes the store once everything else has closed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        extension = cls(crawler)
        run_context(crawler)  # the run starts (and is recorded) before anything is fetched
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        ctx = run_context(self.crawler)
        stats = self.crawler.stats.get_stats()
        new_files = [os.path.join(ctx.collection.archive_dir, n) for n in stats.get("archive/run_files", [])]
        try:
            lines = update_index(ctx.collection.indexes_dir, new_files)
            self.crawler.stats.set_value("archive/index_lines", lines)
        except ArchiveError as err:  # the WARCs are safe; `newsarchive index` can rebuild later
            logger.error("could not update %s: %s", ctx.collection.indexes_dir, err)
        spider = self.crawler.spider
        report = build_report(ctx, stats, "crawl", datetime.now(timezone.utc),
                              {"seeds": list(getattr(spider, "seed_urls", []))})
        path = ctx.collection.write_run_report(ctx.run_id, report)
        jobdir = self.crawler.settings.get("JOBDIR")
        if jobdir and report["finish_reason"] == "finished":
            shutil.rmtree(jobdir, ignore_errors=True)  # done: the next --resume starts afresh
        ctx.store.end_run(ctx.run_id, report["finished"], str(report["finish_reason"]),
                          {k: report[k] for k in ("requests", "articles", "duplicates", "errors")})
        ctx.end()
        logger.info("run report written to %s", path)
