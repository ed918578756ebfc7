"""`newsarchive replay`: archived responses -> the same extract/dedupe/write chain, offline."""
from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

from archive.collection import Collection, ItemWriter, new_run_id
from archive.reader import ArchivedResponse, ReadReport, iter_responses
from archive.run import RunContext
from crawler.report import build_report
from pipelines.canonical import InvalidURL, canonicalize
from pipelines.dedupe import Deduper
from pipelines.extraction_types import Extraction
from pipelines.process import ArticleProcessor, Page
from pipelines.workers import ExtractionPool

logger = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
READ_AHEAD_BYTES = 64 << 20


class _RedirectMemory:
    """Remembers archived redirects so that a later target page knows the URLs that led to it."""

    def __init__(self) -> None:
        self._sources: dict[str, list[str]] = defaultdict(list)

    def note(self, response: ArchivedResponse) -> None:
        location = response.header("Location")
        if response.status in REDIRECTS and location:
            try:
                target = canonicalize(urljoin(response.url, location))
                self._sources[target].append(canonicalize(response.url))
            except InvalidURL:
                return

    def sources_of(self, url: str) -> list[str]:
        try:
            found = self._sources.get(canonicalize(url), [])
        except InvalidURL:
            return []
        return list(dict.fromkeys(found))


class _Window:
    """The pages handed to the workers and not decided yet, oldest first."""

    def __init__(self, limit: int) -> None:
        self.pages: deque[tuple[Page, Future[Extraction]]] = deque()
        self.limit = limit
        self.bytes = 0
        self.workers_up = False

    def add(self, page: Page, extraction: Future[Extraction]) -> None:
        self.pages.append((page, extraction))
        self.bytes += len(page.body)

    def oldest_done(self) -> bool:
        return self.pages[0][1].done()

    def full(self) -> bool:
        if len(self.pages) <= self.limit:
            return False
        self.workers_up = self.workers_up or self.oldest_done()
        # Until the workers answer (the forkserver's warm-up takes seconds), read on up to
        # READ_AHEAD_BYTES of bodies, still compressed: the reading is then done on a core
        # that would otherwise wait, not later on one the workers need.
        return self.workers_up or self.bytes > READ_AHEAD_BYTES

    def pop(self) -> tuple[Page, Extraction]:
        page, extraction = self.pages.popleft()
        self.bytes -= len(page.body)
        return page, extraction.result()


def page_from(response: ArchivedResponse, redirects: _RedirectMemory) -> Page:
    return Page(
        url=response.url,
        body=response.payload,  # its codings are undone by the worker that extracts it
        codings=response.codings,
        status=response.status,
        content_type=response.content_type,
        encoding=response.charset,
        fetched_at=response.date,
        warc=response.location.to_dict(),
        redirected_from=redirects.sources_of(response.url),
    )


def replay(
    paths: Iterable[str], collection: Collection, run_id: str | None = None, workers: int | None = None
) -> dict[str, Any]:
    """Replay every response in `paths` into `collection`; return the run report."""
    paths = list(paths)
    ctx = RunContext.begin(collection, run_id or new_run_id(), "replay")
    try:
        stats, read = _replay_into(ctx, paths, workers)
        report = build_report(ctx, dict(stats), "replay", datetime.now(timezone.utc), {
            "sources": [os.path.abspath(p) for p in paths],
            "problems": [str(p) for p in read.problems],
        })
        report["errors"]["unreadable_warc"] = len(read.problems)
        collection.write_run_report(ctx.run_id, report)
        ctx.store.end_run(ctx.run_id, report["finished"], "finished",
                          {k: report[k] for k in ("articles", "duplicates", "errors")})
    finally:
        ctx.end()
    return report


def _replay_into(ctx: RunContext, paths: list[str], workers: int | None) -> tuple[Counter[str], ReadReport]:
    """Read in archive order, extract in parallel, decide in archive order."""
    stats: Counter[str] = Counter()
    writer = ItemWriter(ctx.collection.items_path(ctx.run_id))
    pool = ExtractionPool(workers)
    processor = ArticleProcessor(pool, Deduper(ctx.store), writer, ctx.run_id, stats)
    window = _Window(limit=4 * max(1, pool.workers))  # enough to keep every worker busy
    redirects = _RedirectMemory()
    read = ReadReport()

    def decide_ready(block: bool) -> None:
        while window.pages and (block or window.full() or window.oldest_done()):
            page, extraction = window.pop()
            processor.process_extraction(page, extraction)

    try:
        for response in iter_responses(paths, read):
            stats["downloader/response_count"] += 1
            stats["downloader/response_status_count/%d" % response.status] += 1
            redirects.note(response)
            location = response.header("Location")
            if location and 300 <= response.status < 400:
                processor.deduper.note_redirect(response.url, location, ctx.run_id)
            page = page_from(response, redirects)
            if processor.precheck(page) is None:
                window.add(page, pool.submit(page.body, page.url, page.encoding, page.codings))
            decide_ready(block=False)
        decide_ready(block=True)
    finally:
        pool.close()
        writer.close()
    stats["replay/files"] = read.files
    stats["replay/records"] = read.records
    stats["replay/unreadable"] = len(read.problems)
    stats["replay/revisits"] = read.revisits  # replayed with their original's body
    for reason, count in read.skipped.items():
        stats["replay/skipped/" + reason] = count
    return stats, read
