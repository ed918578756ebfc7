"""`newsarchive replay`: archived responses -> the same extract/dedupe/write chain, offline."""
from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from archive.collection import Collection, ItemWriter, new_run_id
from archive.reader import ArchivedResponse, ReadReport, iter_responses
from archive.run import RunContext
from crawler.progress_runs import ReplayWatch
from crawler.report import build_report
from pipelines.dedupe import Deduper
from pipelines.ordered import OrderedChain
from pipelines.process import Decider
from pipelines.redirects import RedirectAliases
from pipelines.values import Page
from pipelines.workers import ExtractionPool

logger = logging.getLogger(__name__)


def page_from(response: ArchivedResponse, redirects: RedirectAliases) -> Page:
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
    paths: Iterable[str], collection: Collection, run_id: str | None = None, workers: int | None = None,
    watch: ReplayWatch | None = None,
) -> dict[str, Any]:
    """Replay every response in `paths` into `collection`; return the run report. `watch`, if
    given, is kept up to date with the counters and the record being read (for progress)."""
    paths = list(paths)
    ctx = RunContext.begin(collection, run_id or new_run_id(), "replay")
    try:
        stats, read = _replay_into(ctx, paths, workers, watch or ReplayWatch())
        report = build_report(ctx, dict(stats), "replay", datetime.now(timezone.utc), {
            "sources": [os.path.abspath(p) for p in paths],
            "problems": [str(p) for p in read.problems],
            # unreadable stretches (file, offset, bytes skipped), records read despite a wrong
            # Content-Length, and what the payload digests said (mismatches by file, offset, URI)
            "read": read.to_dict(),
        })
        report["errors"]["unreadable_warc"] = len(read.problems)
        ctx.record_end(report)
    finally:
        ctx.end()
    return report


def _replay_into(ctx: RunContext, paths: list[str], workers: int | None,
                 watch: ReplayWatch) -> tuple[Counter[str], ReadReport]:
    """Read in archive order, extract in parallel, decide in archive order."""
    stats: Counter[str] = watch.stats
    writer = ItemWriter(ctx.collection.items_path(ctx.run_id))
    pool = ExtractionPool(workers)
    decider = Decider(Deduper(ctx.store), writer, ctx.run_id, pool.info, stats)
    chain = OrderedChain(pool, decider, limit=4 * max(1, pool.workers))  # enough to keep every worker busy
    redirects = RedirectAliases(ctx.store, ctx.run_id, remember_sources=True)
    read = ReadReport()
    try:
        for response in iter_responses(paths, read):
            watch.location = response.location  # one assignment a record: what progress reads
            stats["downloader/response_count"] += 1
            stats["downloader/response_status_count/%d" % response.status] += 1
            redirects.note(response.url, response.status, response.header("Location"))
            chain.feed(page_from(response, redirects))
        chain.finish()
    finally:
        pool.close()
        writer.close()
    stats["replay/files"] = read.files
    stats["replay/records"] = read.records
    stats["replay/unreadable"] = len(read.problems)
    stats["replay/revisits"] = read.revisits  # replayed with their original's body
    stats["replay/skipped_bytes"] = sum(getattr(p, "length", None) or 0 for p in read.problems)
    stats["replay/misframed"] = len(read.misframed)
    for outcome, count in read.digests.items():
        stats["replay/payload_digest/" + outcome] = count
    for reason, count in read.skipped.items():
        stats["replay/skipped/" + reason] = count
    return stats, read
