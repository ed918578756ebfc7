"""The one ordered chain of a crawl and a replay: extract in parallel, decide in the order pages came.

Dedupe compares each article with those decided before it, so the decisions must follow the
order pages entered, whatever order their extractions finish in; then a replay of a crawl's
WARCs, which reads them in that order, rebuilds the crawl's items exactly. Pages wait in one
queue; a decision is a loop over its head, never a callback chained on the page before (the
crawl's Deferred chain of that kind once hit RecursionError with many small pages in flight).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

from pipelines.extraction_types import Extraction
from pipelines.process import Decider
from pipelines.values import Outcome, Page

# Until the workers answer (the forkserver's warm-up takes seconds), a reader may go on up to this
# many bytes of bodies past its page limit: the reading is then done on a core that would
# otherwise wait, not later on one the workers need.
READ_AHEAD_BYTES = 64 << 20


class Extractions(Protocol):
    """What extracts pages in the background: `pipelines.workers.ExtractionPool`."""

    info: dict[str, str]

    def submit(self, body: bytes | str, url: str, encoding: str | None = None,
               codings: tuple[str, ...] = ()) -> Future[Extraction]: ...


@dataclass
class _Pending:
    page: Page
    extraction: Future[Extraction]
    outcome: Future[Outcome] = field(default_factory=Future)


class OrderedChain:
    """Pages in (`push`), each page's `Outcome` out, decided in the order the pages came in.

    Single-threaded: `push` and the `decide_*` methods are called from one thread (the crawl's
    reactor, replay's loop). Extractions finish in worker threads; `wake`, if given, is called
    from there each time one does, so that the owner can call `decide_ready` in its own thread.
    """

    def __init__(self, extractions: Extractions, decider: Decider, *, limit: int = 0,
                 wake: Callable[[], object] | None = None, read_ahead_bytes: int = READ_AHEAD_BYTES) -> None:
        self.extractions = extractions
        self.decider = decider
        self.limit = limit  # pages waiting before `full()` (0: no limit)
        self.read_ahead_bytes = read_ahead_bytes
        self._wake = wake
        self._pending: deque[_Pending] = deque()
        self._bytes = 0
        self._workers_up = False
        self._deciding = False

    @property
    def pending(self) -> int:
        """Pages handed on and not decided yet."""
        return len(self._pending)

    def push(self, page: Page) -> Future[Outcome]:
        """Hand `page` to extraction; its outcome is set when its turn to be decided comes."""
        skipped = self.decider.precheck(page)
        if skipped is not None:  # decided at once: a skip neither reads nor changes dedupe state
            done: Future[Outcome] = Future()
            done.set_result(skipped)
            return done
        extraction = self.extractions.submit(page.body, page.url, page.encoding, page.codings)
        entry = _Pending(page, extraction)
        self._pending.append(entry)
        self._bytes += len(page.body)
        if self._wake is not None:
            extraction.add_done_callback(self._woken)
        return entry.outcome

    def full(self) -> bool:
        """More than `limit` pages wait: the reader should decide the oldest before reading on."""
        if not self.limit or len(self._pending) <= self.limit:
            return False
        self._workers_up = self._workers_up or self._pending[0].extraction.done()
        return self._workers_up or self._bytes > self.read_ahead_bytes

    def feed(self, page: Page) -> Future[Outcome]:
        """A reader's step (replay's): push `page`, decide what is ready, and while more than
        `limit` pages wait, wait for the oldest; so the reader never runs far ahead of the workers."""
        outcome = self.push(page)
        self.decide_ready()
        while self.full():
            self.decide_oldest()
        return outcome

    def decide_ready(self) -> int:
        """Decide the pages at the head whose extraction is done; how many were decided."""
        return self._decide(wait=False)

    def decide_oldest(self) -> None:
        """Decide the oldest page waiting, waiting for its extraction if need be."""
        if self._pending:
            self._decide_head()

    def finish(self) -> None:
        """Decide every page waiting, in order."""
        self._decide(wait=True)

    def _decide(self, wait: bool) -> int:
        if self._deciding:  # called again from an outcome's callback: the loop below goes on
            return 0
        self._deciding = True
        decided = 0
        try:
            while self._pending and (wait or self._pending[0].extraction.done()):
                self._decide_head()
                decided += 1
        finally:
            self._deciding = False
        return decided

    def _decide_head(self) -> None:
        entry = self._pending.popleft()
        self._bytes -= len(entry.page.body)
        self._workers_up = True  # (or about to be: this waits for the answer)
        try:
            extraction = entry.extraction.result()
        except Exception as err:  # noqa: BLE001 - a broken pool fails its pages, counted, not the run
            extraction = Extraction(None, "error:worker: %s" % (err or type(err).__name__))
        try:
            outcome = self.decider.decide(entry.page, extraction)
        except BaseException as err:
            entry.outcome.set_exception(err)
            raise
        entry.outcome.set_result(outcome)

    def _woken(self, _: Future[Extraction]) -> None:
        assert self._wake is not None
        self._wake()
