"""Extraction in worker processes, so that a crawl or a replay uses every core.

Extraction (trafilatura, metadata fusion, hashing) is ~90% of the CPU a page costs; in the
Scrapy reactor it would bind the crawl to one core and stall downloads while it runs.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.util
import os
import signal
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from archive.codings import MAX_DECODED, DecodedTooBig, decode_payload
from pipelines.extraction_types import BINARY, Extraction, ExtractOptions, extractor_info, looks_binary
from pipelines.lifetime import announce_to_forkserver, exit_when, pid_gone, remove_parents_temp_dir_when_gone
from pipelines.textnorm import fingerprints

if TYPE_CHECKING:  # the crawl process imports this module: only workers load the extractor
    from pipelines.extract import ArticleExtractor

logger = logging.getLogger(__name__)

# An article with no date in its markup and no declared language, so that the warm-up goes the
# whole way: trafilatura, htmldate's text search down to dateparser, the language model. The
# "date" no language can parse makes dateparser load and compile all of its ~200 locales once
# (~3 s); otherwise every worker pays that again on its first page without a dated markup.
_WARM_UP_PAGE = (
    "<html><head><title>Warm-up article</title><meta property='og:type' content='article'>"
    "<meta name='author' content='A. Writer'></head><body><header><a href='/'>Home</a></header>"
    "<article><h1>Warm-up article</h1><p class='byline'>Posted: Zz 12 Qq 2019 by A. Writer</p>"
    "<p>This article is only here so that the extractor, the date parser and the language model "
    "load their data before the first real page arrives, which would cost seconds on it.</p>"
    "<p>Extraction workers are forked from one process that has done this, and share its memory "
    "instead of each of them loading its own copy of the same tables and models.</p>"
    "<p>The text has to be long enough to pass for an article, and in a language the model knows, "
    "so that nothing on the way is skipped as not worth the effort.</p>"
    "</article><footer><p>Copyright nobody. All rights reserved.</p></footer></body></html>"
)


def _forkserver_context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    # the forkserver imports the extractor and loads its models once; the workers it forks
    # share those pages instead of loading their own copies
    context.set_forkserver_preload(["pipelines.worker_preload"])
    # the forkserver's socket goes into our pymp-* directory: the forkserver removes it if we are killed
    announce_to_forkserver(multiprocessing.util.get_temp_dir())
    return context


def start_warm_up() -> None:
    """Start the forkserver and its warm-up (seconds of CPU) now, in the background.

    A command calls this first thing, so that the warm-up runs on another core while the
    command itself imports Scrapy and opens its collection; the pool it makes later forks
    its workers from the same forkserver. Without it, replay started the warm-up ~1.3 s later.
    """
    from multiprocessing import forkserver

    _forkserver_context()
    forkserver.ensure_running()


def default_workers() -> int:
    """One per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_and_hash(
    extractor: ArticleExtractor, body: bytes | str, url: str, encoding: str | None
) -> Extraction:
    """Extraction plus the per-article hashes, all the CPU-heavy work for one page."""
    extraction = extractor.extract(body, url, encoding=encoding)
    if extraction.article is None:
        return extraction
    text = str(extraction.article.get("text") or "")
    exact, near = fingerprints(text)
    article = dict(extraction.article, content_hash=exact, simhash=near)
    return replace(extraction, article=article)


class _WorkerState:
    """The one extractor a worker process holds (a process-wide slot is how pool workers keep state)."""

    extractor: ArticleExtractor | None = None
    options: ExtractOptions | None = None
    named_too_big: bool = False  # a body that decodes past the bound is named once, then counted


def warm_extractor(options: ExtractOptions | None = None) -> ArticleExtractor:
    """An extractor that has loaded everything it loads on first use (models, date parser)."""
    from pipelines.extract import ArticleExtractor

    extractor = ArticleExtractor(options)
    extractor.extract(_WARM_UP_PAGE, "http://warm-up.invalid/a")
    return extractor


def preload() -> None:
    """Run once in the forkserver: workers forked from it share the loaded code and models."""
    # watching first: the warm-up takes seconds, and a crawl killed meanwhile must not leave us
    # (nor the pymp-* directory of our socket, which a killed parent cannot remove)
    remove_parents_temp_dir_when_gone()
    _WorkerState.extractor = warm_extractor()
    _WorkerState.options = None
    # Everything loaded so far lives as long as the workers: moved out of the collector's reach,
    # its objects are never written to by a collection, so the workers' pages stay shared
    # (a collection in a worker would otherwise copy every page it walks through).
    gc.collect()
    gc.freeze()


def _init_worker(options: ExtractOptions | None, in_worker: bool = True, owner: int = 0) -> None:
    if in_worker:
        # Ctrl-C reaches the whole process group: the crawl process shuts down in order and
        # lets its workers finish the pages they hold.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if owner:
            exit_when(lambda: pid_gone(owner))
    shared = _WorkerState.extractor
    if shared is None or (options or ExtractOptions()) != (_WorkerState.options or ExtractOptions()):
        _WorkerState.extractor = warm_extractor(options)
        _WorkerState.options = options


DECODED_TOO_BIG = "skipped:decoded-too-big"  # counted as extract/skipped/decoded-too-big


def _work(body: bytes | str, url: str, encoding: str | None, codings: tuple[str, ...] = (),
          max_decoded: int = MAX_DECODED) -> Extraction:
    extractor = _WorkerState.extractor
    assert extractor is not None, "worker not initialized"
    try:
        if codings and isinstance(body, bytes):
            try:
                body = decode_payload(body, codings, url, max_decoded)
            except DecodedTooBig as err:  # a decompression bomb, or a body the crawl would not take either
                if not _WorkerState.named_too_big:
                    _WorkerState.named_too_big = True
                    logger.warning("%s; not extracted (further such bodies are only counted:"
                                   " extract/skipped/decoded-too-big)", err)
                return Extraction(None, DECODED_TOO_BIG)
            if looks_binary(body):
                return Extraction(None, BINARY)
        return extract_and_hash(extractor, body, url, encoding)
    except Exception as err:  # noqa: BLE001 - never let one page kill the pool; the parent counts it
        return Extraction(None, "error:%s: %s" % (type(err).__name__, err))


class _InlineExecutor(Executor):
    """Runs the work where it is asked for: for 0 workers, tests and debugging."""

    def __init__(self, options: ExtractOptions | None) -> None:
        _init_worker(options, in_worker=False)

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future[Extraction] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the future, as a pool would
            future.set_exception(err)
        return future


def _ready() -> None:
    """A task that only makes the pool start a worker (and the forkserver warm up)."""


def _settle(result: Future[Extraction], done: Future[Extraction]) -> None:
    if done.cancelled():
        result.cancel()
    elif done.exception() is not None:
        result.set_exception(done.exception())
    else:
        result.set_result(done.result())


class ExtractionPool:
    """Extraction by a pool of `workers` processes (0: in this process)."""

    def __init__(self, workers: int | None = None, options: ExtractOptions | None = None,
                 max_decoded: int = MAX_DECODED) -> None:
        self.workers = default_workers() if workers is None else workers
        self.max_decoded = max_decoded  # the most a body with codings on it may decode to (DOWNLOAD_MAXSIZE)
        if self.workers < 0:
            raise ValueError("workers must be 0 or more, not %d" % self.workers)
        self.info = extractor_info()
        if self.workers == 0:
            self._executor: Executor = _InlineExecutor(options)
        else:
            # forkserver: workers start clean, not as forks of a process with reactor threads
            context = _forkserver_context()
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context,
                initializer=_init_worker, initargs=(options, True, os.getpid()),
            )
            # Starting a worker waits for the forkserver's warm-up (seconds), and the pool starts
            # workers inside submit(): so submit from a thread of our own, never the caller's
            # (the crawl's reactor would stall its downloads meanwhile). One thread keeps the
            # pages in the order they came. The first task starts the warm-up right away.
            self._dispatcher = ThreadPoolExecutor(1, thread_name_prefix="extraction-dispatch")
            self._dispatcher.submit(self._executor.submit, _ready)

    _dispatcher: ThreadPoolExecutor | None = None

    def submit(self, body: bytes | str, url: str, encoding: str | None = None,
               codings: tuple[str, ...] = ()) -> Future[Extraction]:
        """Extract `body` in a worker. `codings`: content codings still on it, for the worker to
        undo (a page whose decoded body looks binary comes back as "skipped:binary", one that
        decodes past `max_decoded` bytes as "skipped:decoded-too-big")."""
        if self._dispatcher is None:
            return self._executor.submit(_work, body, url, encoding, codings, self.max_decoded)
        result: Future[Extraction] = Future()
        self._dispatcher.submit(self._hand_over, result, body, url, encoding, codings)
        return result

    def _hand_over(self, result: Future[Extraction], body: bytes | str, url: str,
                   encoding: str | None, codings: tuple[str, ...]) -> None:
        try:
            work = self._executor.submit(_work, body, url, encoding, codings, self.max_decoded)
        except BaseException as err:  # noqa: BLE001 - a broken or closed pool: the page's future says so
            result.set_exception(err)
            return
        work.add_done_callback(lambda done: _settle(result, done))

    def extract(self, html: bytes | str, url: str, *, encoding: str | None = None) -> Extraction:
        """One page through the pool, waiting for it (a `PageExtractor`, like the extractor)."""
        return self.submit(html, url, encoding).result()

    def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.shutdown(wait=True)  # every page submitted is in the pool now
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
