"""Thin Scrapy adapters over the plain processing chain (the only Scrapy-aware module here)."""
from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from archive.collection import Collection, CollectionLock, ItemWriter, new_run_id
from archive.repair import Repaired, repair_directory
from archive.store import Store
from pipelines.dedupe import Deduper
from pipelines.extract import ArticleExtractor, ExtractOptions
from pipelines.process import ArticleProcessor, Page

logger = logging.getLogger(__name__)

_RUN_ATTR = "_newsarchive_run"


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


def run_context(crawler: Crawler) -> RunContext:
    """The crawl's RunContext, made on first use from ARCHIVE_ROOT / ARCHIVE_COLLECTION / ARCHIVE_RUN_ID."""
    ctx = getattr(crawler, _RUN_ATTR, None)
    if ctx is None:
        settings = crawler.settings
        collection = Collection.create(settings.get("ARCHIVE_ROOT"), settings.get("ARCHIVE_COLLECTION"))
        ctx = RunContext.begin(collection, settings.get("ARCHIVE_RUN_ID") or new_run_id(), "crawl")
        setattr(crawler, _RUN_ATTR, ctx)
    return ctx


class StatsCounter(MutableMapping[str, int]):
    """Lets plain code count with `stats[key] += 1` straight into Scrapy's stats collector."""

    def __init__(self, stats: StatsCollector) -> None:
        self._stats = stats

    def __getitem__(self, key: str) -> int:
        return int(self._stats.get_value(key, 0))

    def __setitem__(self, key: str, value: int) -> None:
        self._stats.set_value(key, value)

    def __delitem__(self, key: str) -> None:
        self._stats.set_value(key, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stats.get_stats())

    def __len__(self) -> int:
        return len(self._stats.get_stats())


def extract_options(settings: Any) -> ExtractOptions:
    return ExtractOptions(min_text_length=settings.getint("EXTRACT_MIN_TEXT_LENGTH", 200))


class ArticlePipeline:
    """Item pipeline: page -> article item or DropItem (not an article, duplicate)."""

    def __init__(self, processor: ArticleProcessor, writer: ItemWriter) -> None:
        self.processor = processor
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        ctx = run_context(crawler)
        writer = ItemWriter(ctx.collection.items_path(ctx.run_id))
        processor = ArticleProcessor(
            ArticleExtractor(extract_options(crawler.settings)),
            Deduper(ctx.store, crawler.settings.getint("DEDUPE_NEAR_DISTANCE", 3)),
            writer,
            ctx.run_id,
            stats=StatsCounter(crawler.stats),  # type: ignore[arg-type]
        )
        pipeline = cls(processor, writer)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> dict[str, object]:
        page = Page(**ItemAdapter(item).asdict())
        outcome = self.processor.process(page)
        if outcome.verdict != "written" or outcome.item is None:
            raise DropItem("%s: %s" % (page.url, outcome.verdict), log_level="DEBUG")
        return outcome.item

    def close(self) -> None:
        self.writer.close()
