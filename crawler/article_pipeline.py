"""The crawl's item pipeline: the spider's `Page`s through the ordered chain (pipelines/ordered.py).

Scrapy glue only: extraction runs in worker processes, their results wake the chain in the
reactor thread, and each page's `process_item` waits for its own decision, which the chain makes
in the order the pages came in (so replay, which decides in archive order, rebuilds the same items).

A decision whose write fails (the items file's or the store's: a full disk, a read-only collection)
stops the run, and its page is dropped: the run names the cause once, not a traceback per page.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import Future
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from archive.collection import ItemWriter
from archive.writes import WriteFailed, as_write_failure
from crawler.crawl_config import ExtractConfig
from crawler.run_extension import crawl_run
from pipelines.dedupe import Deduper
from pipelines.extraction_types import ExtractOptions
from pipelines.ordered import OrderedChain
from pipelines.process import Decider
from pipelines.values import Item, Outcome, OutcomeKind, Page
from pipelines.workers import ExtractionPool

logger = logging.getLogger(__name__)


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


class ArticlePipeline:
    """Item pipeline: `Page` -> `Item`, or DropItem (not an article, a duplicate, skipped)."""

    def __init__(self, pool: ExtractionPool, decider: Decider, writer: ItemWriter,
                 call_in_reactor: Callable[[Callable[[], None]], object],
                 write_failed: Callable[[WriteFailed], None] | None = None, store_path: str = "") -> None:
        self.pool = pool
        self.writer = writer
        # what stops the run when a write fails (without it, the failure is raised as it is)
        self.write_failed = write_failed
        self.store_path = store_path  # for the store's failures: SQLite names no file
        # an extraction finishes in a pool thread; the chain decides in the reactor's
        self.chain = OrderedChain(pool, decider, wake=lambda: call_in_reactor(self.decide_ready))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        from twisted.internet import reactor

        config = ExtractConfig.from_settings(crawler.settings)
        run = crawl_run(crawler)
        ctx = run.ctx
        pool = ExtractionPool(config.workers, ExtractOptions(min_text_length=config.min_text_length))
        writer = ItemWriter(ctx.collection.items_path(ctx.run_id))
        decider = Decider(Deduper(ctx.store, config.near_distance), writer, ctx.run_id, pool.info,
                          StatsCounter(crawler.stats))
        pipeline = cls(pool, decider, writer, reactor.callFromThread, run.write_failed, ctx.collection.store_path)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any) -> Item:
        if not isinstance(item, Page):
            raise TypeError("ArticlePipeline takes the news spider's Page items, not %s" % type(item).__name__)
        try:
            outcome = await maybe_deferred_to_future(_deferred(self.chain.push(item)))
        except (WriteFailed, OSError, sqlite3.Error) as err:
            failure = as_write_failure(err, self.store_path)
            if failure is None or self.write_failed is None:
                raise
            self.write_failed(failure)
            raise DropItem(str(failure), log_level="DEBUG") from err
        if outcome.kind is not OutcomeKind.WRITTEN or outcome.item is None:
            raise DropItem("%s: %s" % (item.url, outcome), log_level="DEBUG")
        return outcome.item

    def decide_ready(self) -> None:
        """In the reactor: decide what the chain can; a page whose decision raised has its
        `process_item` raise (Scrapy logs it), and the pages after it are still decided."""
        while True:
            try:
                self.chain.decide_ready()
            except Exception:  # noqa: BLE001 - already handed to that page's process_item
                continue
            return

    def close(self) -> None:
        self.pool.close()
        self.writer.close()


def _deferred(outcome: Future[Outcome]) -> Deferred[Outcome]:
    """A Deferred of an outcome the chain sets in the reactor thread (so no thread hop here)."""
    deferred: Deferred[Outcome] = Deferred()

    def settle(done: Future[Outcome]) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    outcome.add_done_callback(settle)
    return deferred
