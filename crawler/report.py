"""Writes `runs/<run-id>.json` when a crawl ends: what it fetched, archived, kept and dropped."""
from __future__ import annotations

import logging
import os
import platform
import shutil
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from archive.exceptions import ArchiveError
from archive.index import update_index
from pipelines.scrapy_adapters import RunContext, run_context

logger = logging.getLogger(__name__)

VERSIONED = ("newsarchive", "scrapy", "trafilatura", "warcio", "twisted", "lxml")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "unknown"
    return found


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


def build_report(ctx: RunContext, stats: dict[str, Any], kind: str, finished: datetime,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run report: a stable, documented shape over the raw counters (kept under `stats`)."""
    run_files = [
        {"name": name, "bytes": os.path.getsize(os.path.join(ctx.collection.archive_dir, name))}
        for name in stats.get("archive/run_files", [])
    ]
    items_path = ctx.collection.items_path(ctx.run_id)
    report = {
        "run": ctx.run_id,
        "kind": kind,
        "collection": ctx.collection.name,
        "started": ctx.started.isoformat(),
        "finished": finished.isoformat(),
        "duration_s": round((finished - ctx.started).total_seconds(), 3),
        "finish_reason": stats.get("finish_reason", "finished"),
        "requests": int(stats.get("downloader/request_count", 0)),
        "responses": int(stats.get("downloader/response_count", 0)),
        "responses_by_status": _prefixed(stats, "downloader/response_status_count/"),
        "articles": int(stats.get("items/written", 0)),
        "duplicates": _prefixed(stats, "dedupe/"),
        "not_articles": int(stats.get("extract/not_article", 0)),
        "not_article_reasons": _prefixed(stats, "extract/reason/"),
        "errors": {
            "fetch": int(stats.get("fetch/errors", 0)),
            "extract": int(stats.get("extract/error", 0)),
            "logged": int(stats.get("log_count/ERROR", 0)),
        },
        "archive": {
            "records": int(stats.get("archive/records", 0)),
            "responses": int(stats.get("archive/responses", 0)),
            "bytes": sum(f["bytes"] for f in run_files),
            "files": run_files,
        },
        "items_file": items_path if os.path.exists(items_path) else None,
        "versions": versions(),
        "stats": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(stats.items())},
    }
    report["repaired"] = [
        {"file": os.path.basename(r.path), "records": r.records, "dropped_bytes": r.dropped_bytes}
        for r in ctx.repaired
    ]
    report.update(extra or {})
    return report


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
