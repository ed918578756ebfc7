"""Thin Scrapy adapters over the plain processing chain (the only Scrapy-aware module here)."""
from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from concurrent.futures import Future
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, gatherResults, succeed
from twisted.python.failure import Failure

from archive.collection import ItemWriter
from crawler.run_extension import run_context
from pipelines.dedupe import Deduper
from pipelines.extraction_types import Extraction, ExtractOptions
from pipelines.process import ArticleProcessor, Page
from pipelines.workers import ExtractionPool, default_workers

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


def extract_options(settings: Any) -> ExtractOptions:
    return ExtractOptions(min_text_length=settings.getint("EXTRACT_MIN_TEXT_LENGTH", 200))


def extract_workers(settings: Any) -> int:
    """EXTRACT_WORKERS: "auto" (one per core) or a number (0: extract in the crawl process)."""
    value = settings.get("EXTRACT_WORKERS", "auto")
    if value in (None, "", "auto"):
        return default_workers()
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise ValueError("EXTRACT_WORKERS must be 'auto' or a whole number, not %r" % value) from None
    if workers < 0:
        raise ValueError("EXTRACT_WORKERS must not be negative")
    return workers


def future_to_deferred(future: Future[Any]) -> Deferred[Any]:
    """A Deferred that fires in the reactor thread when a concurrent.futures Future is done."""
    from twisted.internet import reactor

    deferred: Deferred[Any] = Deferred()

    def settle(done: Future[Any]) -> None:
        try:
            result = done.result()
        except BaseException as err:  # noqa: BLE001 - handed on to the Deferred
            deferred.errback(Failure(err))
        else:
            deferred.callback(result)

    future.add_done_callback(lambda done: reactor.callFromThread(settle, done))  # type: ignore[attr-defined]
    return deferred


class ArticlePipeline:
    """Item pipeline: page -> article item or DropItem (not an article, duplicate).

    Extraction runs in worker processes; the dedupe decision for each page waits for the
    decisions of all pages before it, so the outcome does not depend on which worker is faster
    (and replay, which decides in archive order, rebuilds the same items).
    """

    def __init__(self, processor: ArticleProcessor, writer: ItemWriter, pool: ExtractionPool) -> None:
        self.processor = processor
        self.writer = writer
        self.pool = pool
        self._previous_decision: Deferred[None] = succeed(None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        ctx = run_context(crawler)
        options = extract_options(crawler.settings)
        pool = ExtractionPool(extract_workers(crawler.settings), options)
        writer = ItemWriter(ctx.collection.items_path(ctx.run_id))
        processor = ArticleProcessor(
            pool,
            Deduper(ctx.store, crawler.settings.getint("DEDUPE_NEAR_DISTANCE", 3)),
            writer,
            ctx.run_id,
            stats=StatsCounter(crawler.stats),  # type: ignore[arg-type]
        )
        pipeline = cls(processor, writer, pool)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any) -> dict[str, object]:
        page = Page(**ItemAdapter(item).asdict())
        skipped = self.processor.precheck(page)
        if skipped is not None:
            raise DropItem("%s: %s" % (page.url, skipped.verdict), log_level="DEBUG")
        previous, mine = self._previous_decision, Deferred[None]()
        self._previous_decision = mine
        extracted = future_to_deferred(self.pool.submit(page.body, page.url, page.encoding))
        extracted.addErrback(lambda failure: Extraction(None, "error:worker: %s" % failure.getErrorMessage()))
        both = gatherResults([extracted, previous], consumeErrors=True)
        both.addCallback(lambda results: self._decide(page, results[0]))

        def next_may_go(result: Any) -> Any:
            mine.callback(None)
            return result

        both.addBoth(next_may_go)
        result = await maybe_deferred_to_future(both)
        return result  # type: ignore[return-value]  # _decide's item, not gatherResults' list

    def _decide(self, page: Page, extraction: Extraction) -> dict[str, object]:
        outcome = self.processor.process_extraction(page, extraction)
        if outcome.verdict != "written" or outcome.item is None:
            raise DropItem("%s: %s" % (page.url, outcome.verdict), log_level="DEBUG")
        return outcome.item

    def close(self) -> None:
        self.pool.close()
        self.writer.close()
