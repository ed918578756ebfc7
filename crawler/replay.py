"""`newsarchive replay`: archived responses -> the same extract/dedupe/write chain, offline."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

from archive.collection import Collection, ItemWriter, new_run_id
from archive.exceptions import CollectionError
from archive.reader import ArchivedResponse, ReadReport, iter_responses
from crawler.cli import EXIT_FAILURE, EXIT_OK, UsageError
from crawler.report import build_report, print_summary
from pipelines.canonical import InvalidURL, canonicalize
from pipelines.dedupe import Deduper
from pipelines.extraction_types import Extraction
from pipelines.process import ArticleProcessor, Page
from pipelines.run_context import RunContext
from pipelines.workers import ExtractionPool

logger = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)


def resolve_sources(sources: list[str], root: str) -> list[str]:
    """Paths as given; a name that is no path but a collection under `root` means its archive/."""
    paths = []
    for source in sources:
        if os.path.exists(source):
            paths.append(source)
            continue
        try:
            paths.append(Collection.open(root, source).archive_dir)
        except CollectionError:
            raise UsageError("no such WARC file, directory or collection: %s" % source) from None
    return paths


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


def page_from(response: ArchivedResponse, redirects: _RedirectMemory) -> Page:
    return Page(
        url=response.url,
        body=response.body,
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
    window: deque[tuple[Page, Future[Extraction]]] = deque()
    limit = 4 * max(1, pool.workers)  # enough to keep every worker busy, bounded memory
    redirects = _RedirectMemory()
    read = ReadReport()

    def decide_ready(block: bool) -> None:
        while window and (block or len(window) > limit or window[0][1].done()):
            page, future = window.popleft()
            processor.process_extraction(page, future.result())

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
                window.append((page, pool.submit(page.body, page.url, page.encoding)))
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


def replay_command(args: argparse.Namespace) -> int:
    paths = resolve_sources(args.sources, args.root)
    collection = Collection.create(args.root, args.collection)
    report = replay(paths, collection)
    print_summary(report, collection, sys.stdout)
    for problem in report["problems"]:
        print("newsarchive replay: skipped unreadable data: %s" % problem, file=sys.stderr)
    return EXIT_FAILURE if report["problems"] else EXIT_OK
