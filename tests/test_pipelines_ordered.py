"""pipelines/ordered.py: extractions finish in any order, decisions follow the order pages came in."""
from __future__ import annotations

import gc
import hashlib
import queue
import sys
import threading
import weakref
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import pytest

from archive.store import Store
from pipelines.dedupe import Deduper
from pipelines.extraction_types import Extraction
from pipelines.ordered import OrderedChain
from pipelines.process import Decider
from pipelines.values import Outcome, OutcomeKind, Page
from pipelines.workers import ExtractionPool

PAGES = 30_000
INFO = {"name": "tiny", "version": "1"}


def tiny_extraction(body: bytes) -> Extraction:
    """Every tenth tiny page is an article of its own (hashes given, as workers give them)."""
    n = int(body)
    if n % 10:
        return Extraction(None, "not-article:tiny")
    digest = hashlib.sha256(body).hexdigest()
    return Extraction({"title": "Page %d" % n, "authors": [], "tags": [], "text": "page %d" % n,
                       "content_hash": "sha256:" + digest, "simhash": digest[:16]}, "article")


def tiny_page(n: int) -> Page:
    return Page(url="https://tiny.example/%d" % n, body=b"%d" % n)


class ReversedPool:
    """Holds every extraction until `finish_all()`, then finishes them last first."""

    info = INFO

    def __init__(self) -> None:
        self.waiting: list[tuple[Future[Extraction], bytes]] = []

    def submit(self, body: bytes | str, url: str, encoding: str | None = None,
               codings: tuple[str, ...] = ()) -> Future[Extraction]:
        assert isinstance(body, bytes)
        future: Future[Extraction] = Future()
        self.waiting.append((future, body))
        return future

    def finish_all(self) -> None:
        while self.waiting:
            future, body = self.waiting.pop()
            future.set_result(tiny_extraction(body))


class ShufflingPool:
    """A thread that finishes whatever extractions wait, newest first: out of order, never stuck."""

    info = INFO

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Future[Extraction], bytes] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def submit(self, body: bytes | str, url: str, encoding: str | None = None,
               codings: tuple[str, ...] = ()) -> Future[Extraction]:
        assert isinstance(body, bytes)
        future: Future[Extraction] = Future()
        self._queue.put((future, body))
        return future

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get())
            for task in reversed(batch):
                if task is None:
                    return
                task[0].set_result(tiny_extraction(task[1]))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


class RecordingDecider(Decider):
    """The real decider, noting the order it is asked in."""

    def __init__(self, store: Store, sink: list[dict[str, object]]) -> None:
        super().__init__(Deduper(store), _ListSink(sink), "run-1", INFO, Counter())
        self.order: list[str] = []

    def decide(self, page: Page, extraction: Extraction) -> Outcome:
        self.order.append(page.url)
        return super().decide(page, extraction)


class _ListSink:
    def __init__(self, items: list[dict[str, object]]) -> None:
        self.items = items

    def write(self, item: dict[str, object]) -> None:
        self.items.append(item)


@pytest.fixture
def store(tmp_path: Path):
    with Store(str(tmp_path / "store.sqlite")) as opened:
        yield opened


def test_thirty_thousand_pages_finished_last_first_are_decided_first_first(store: Store) -> None:
    # the crawl's shape: every page pending at once, the oldest finishing last, the chain woken
    # once per finished extraction (here at once, in the finishing thread: the reactor would be
    # called); the Deferred chained per page that this replaced raised RecursionError here
    items: list[dict[str, object]] = []
    decider = RecordingDecider(store, items)
    pool = ReversedPool()
    decided: list[int] = []
    chain = OrderedChain(pool, decider, wake=lambda: decided.append(chain.decide_ready()))
    outcomes = [chain.push(tiny_page(n)) for n in range(PAGES)]
    assert chain.pending == PAGES and not any(o.done() for o in outcomes)

    probe = weakref.ref(outcomes[5])  # an outcome of a page that is no article
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far fewer frames than pages: no depth per page pending
    try:
        pool.finish_all()
    finally:
        sys.setrecursionlimit(limit)

    assert len(decided) == PAGES and decided[-1] == PAGES  # all at once, when the oldest finished
    assert decider.order == ["https://tiny.example/%d" % n for n in range(PAGES)]
    assert [o.result().kind for o in outcomes[:3]] == [OutcomeKind.WRITTEN, OutcomeKind.NOT_ARTICLE,
                                                       OutcomeKind.NOT_ARTICLE]
    assert [item["url"] for item in items] == ["https://tiny.example/%d" % n for n in range(0, PAGES, 10)]
    assert decider.stats == Counter({"items/written": PAGES // 10, "extract/not_article": PAGES * 9 // 10,
                                     "extract/reason/tiny": PAGES * 9 // 10})
    assert chain.pending == 0
    del outcomes
    gc.collect()
    assert probe() is None  # the chain keeps nothing of what it decided


def test_a_reader_that_respects_full_keeps_only_a_window_pending(store: Store) -> None:
    # replay's shape (feed): read, hand on, decide what is ready, and wait for the oldest when full
    items: list[dict[str, object]] = []
    decider = RecordingDecider(store, items)
    pool = ShufflingPool()
    chain = OrderedChain(pool, decider, limit=8, read_ahead_bytes=0)
    most = 0
    try:
        for n in range(PAGES):
            chain.feed(tiny_page(n))
            most = max(most, chain.pending)
        chain.finish()
    finally:
        pool.close()
    assert most <= 9
    assert decider.order == ["https://tiny.example/%d" % n for n in range(PAGES)]
    assert len(items) == PAGES // 10 and chain.pending == 0


def test_the_reader_reads_ahead_only_while_the_workers_warm_up(store: Store) -> None:
    pool = ReversedPool()
    chain = OrderedChain(pool, RecordingDecider(store, []), limit=2, read_ahead_bytes=1000)
    for n in range(6):
        chain.push(Page(url="https://a.example/%d" % n, body=b"1" * 300))
        # past the limit, but no worker has answered: read on up to read_ahead_bytes
        assert chain.full() == (n >= 2 and (n + 1) * 300 > 1000)
    assert chain.full()
    oldest, body = pool.waiting.pop(0)
    oldest.set_result(Extraction(None, "not-article:x"))
    chain.decide_oldest()
    assert chain.pending == 5
    # the workers are up: from now on the page limit alone holds
    chain.read_ahead_bytes = 10**9
    assert chain.full()


def test_skipped_pages_are_decided_at_once_and_never_extracted(store: Store) -> None:
    pool = ReversedPool()
    chain = OrderedChain(pool, RecordingDecider(store, []))
    outcome = chain.push(Page(url="https://a.example/gone", body=b"", status=404))
    assert outcome.done() and str(outcome.result()) == "skipped:status-404"
    assert pool.waiting == [] and chain.pending == 0


def test_a_decision_that_fails_fails_its_page_and_not_the_pages_after_it(store: Store) -> None:
    class FullDisk(_ListSink):
        def write(self, item: dict[str, object]) -> None:
            if item["url"] == "https://tiny.example/0":
                raise OSError(28, "No space left on device")
            super().write(item)

    items: list[dict[str, object]] = []
    decider = RecordingDecider(store, items)
    decider.sink = FullDisk(items)
    pool = ReversedPool()
    chain = OrderedChain(pool, decider)
    outcomes = [chain.push(tiny_page(n)) for n in range(0, 30, 10)]
    pool.finish_all()
    with pytest.raises(OSError):
        chain.decide_ready()
    assert isinstance(outcomes[0].exception(), OSError)
    assert chain.decide_ready() == 2  # the crawl's pipeline decides on: see crawler/article_pipeline.py
    assert [item["url"] for item in items] == ["https://tiny.example/10", "https://tiny.example/20"]


def test_the_chain_runs_over_a_real_inline_pool(store: Store) -> None:
    items: list[dict[str, object]] = []
    with ExtractionPool(workers=0) as pool:
        chain = OrderedChain(pool, RecordingDecider(store, items))
        outcomes = [chain.push(Page(url="https://a.example/%d" % n, body=b"<html><p>hi</p></html>"))
                    for n in range(3)]
        chain.finish()
    assert [o.result().kind for o in outcomes] == [OutcomeKind.NOT_ARTICLE] * 3
    assert items == []
