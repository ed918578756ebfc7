"""The crawl's progress: a Scrapy extension that samples the crawl's stats, the scheduler's queue
and the downloader's active requests on a reactor timer and shows them (crawler/progress.py).

PROGRESS_MODE ("live", "plain", "off": the `newsarchive crawl` command chooses) and
PROGRESS_EVERY (seconds between plain lines). Off, it is not loaded (NotConfigured)."""
from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.progress import MODES, Display, Figures

REQUISITE_RESPONSES = ("requisites/archived",)
# robots.txt answers are neither pages nor requisites
NOT_PAGES = ("robotstxt/response_count",)
STATUS_PREFIX = "downloader/response_status_count/"


def crawl_figures(stats: Mapping[str, Any], elapsed: float, *, in_flight: int | None = None,
                  queued: int | None = None, archived: int | None = None) -> Figures:
    """The figures of a crawl from its stats: requisite responses are not pages."""
    responses = int(stats.get("downloader/response_count", 0))
    requisites = sum(int(stats.get(name, 0)) for name in REQUISITE_RESPONSES)
    responses -= sum(int(stats.get(name, 0)) for name in NOT_PAGES)
    errors: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith("fetch/error/"):
            errors[key[len("fetch/error/"):]] = int(value)
        elif key.startswith(STATUS_PREFIX) and key[len(STATUS_PREFIX):].isdigit() \
                and int(key[len(STATUS_PREFIX):]) >= 400:
            errors["http_" + key[len(STATUS_PREFIX):]] = int(value)
    if stats.get("extract/error"):
        errors["extract"] = int(stats["extract/error"])
    return Figures(
        elapsed=elapsed, pages=max(responses - requisites, 0), requisites=requisites,
        in_flight=in_flight, queued=queued, articles=int(stats.get("items/written", 0)),
        duplicates={kind: int(stats.get("dedupe/" + kind, 0)) for kind in ("exact", "near", "url")},
        not_articles=int(stats.get("extract/not_article", 0)), errors=errors, bytes=archived,
    )


class CrawlProgress:
    """Shows the crawl's figures every `display.interval` seconds while the spider runs."""

    def __init__(self, crawler: Crawler, display: Display, archive_dir: str) -> None:
        self.crawler = crawler
        self.display = display
        self.archive_dir = archive_dir
        self.started = time.monotonic()
        self._baseline = 0
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        settings = crawler.settings
        mode = settings.get("PROGRESS_MODE", "off")
        if mode not in MODES:
            raise NotConfigured("PROGRESS_MODE must be one of %s, not %r" % (", ".join(MODES), mode))
        display = Display("crawl", mode, settings.getfloat("PROGRESS_EVERY", 30.0),
                          json_lines=settings.get("PROGRESS_FORMAT") == "json")
        if not display.enabled:
            raise NotConfigured  # off: said nowhere (a message would be a WARNING of Scrapy's)
        archive_dir = os.path.join(settings.get("ARCHIVE_ROOT", ""), settings.get("ARCHIVE_COLLECTION", ""),
                                   "archive")
        progress = cls(crawler, display, archive_dir)
        crawler.signals.connect(progress.opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.closed, signal=signals.spider_closed)
        return progress

    def opened(self) -> None:
        self.started = time.monotonic()
        self._baseline = self._archive_size()
        self.display.start()
        self._timer = task.LoopingCall(self.tick)
        self._timer.start(self.display.interval, now=False)

    def closed(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.display.stop(self.sample())

    def tick(self) -> None:
        try:
            self.display.show(self.sample())
        except Exception:  # noqa: BLE001 - progress never stops a crawl
            return

    def sample(self) -> Figures:
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        downloader = engine.downloader if engine is not None else None
        return crawl_figures(
            stats, time.monotonic() - self.started,
            in_flight=len(downloader.active) if downloader is not None else None,
            queued=len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else None,
            archived=max(self._archive_size() - self._baseline, 0),
        )

    def _archive_size(self) -> int:
        """Bytes of the collection's WARC files: a stat() each (a few files of up to
        ARCHIVE_MAX_SIZE), a few times a second; the run's own are the growth since it began."""
        total = 0
        try:
            with os.scandir(self.archive_dir) as entries:
                for entry in entries:
                    try:
                        total += entry.stat().st_size
                    except OSError:
                        continue
        except OSError:
            return 0
        return total
