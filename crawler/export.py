"""`newsarchive export` (a collection's items, merged across runs) and `newsarchive extract`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import IO, Any

from archive.collection import Collection
from archive.wacz import WaczPage, write_wacz
from crawler.cli import EXIT_FAILURE, EXIT_OK, UsageError
from pipelines.merge import MergeFilter, MergeReport, merged_lines
from pipelines.process import Page, build_item
from pipelines.workers import default_workers

WARC_FIELDS = ("fetched_at", "warc", "run")


def parse_when(value: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or datetime; a bare date covers its whole day."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end else moment
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("%r is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm)" % value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def select_items(collection: Collection, workers: int = 1) -> Iterator[dict[str, Any]]:
    """Every article once (its latest version), in the order first archived."""
    for line in merged_lines(collection.item_files(), workers=workers):
        yield json.loads(line)


def export_command(args: argparse.Namespace) -> int:
    collection = Collection.open(args.root, args.collection)
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end=True) if args.until else None
    workers = default_workers() if args.workers is None else args.workers
    if workers < 0:
        raise UsageError("--workers must be 0 or more, not %d" % workers)
    store = collection.store() if args.with_aliases else None
    # bytes out: the lines as stored, with no decoding and encoding again
    out: IO[bytes] = open(args.output, "wb") if args.output else sys.stdout.buffer
    report = MergeReport()
    count = 0
    try:
        keep = MergeFilter(since, until, args.site)
        for line in merged_lines(collection.item_files(), keep, workers=workers, report=report):
            if store is not None:
                item = json.loads(line)
                item = dict(item, aliases=store.aliases_of(str(item["url"])))
                line = json.dumps(item, ensure_ascii=False).encode("utf-8")
            out.write(line + b"\n")
            count += 1
    finally:
        if args.output:
            out.close()
        else:
            out.flush()
        if store is not None:
            store.close()
    if report.unreadable:
        print("newsarchive export: skipped %d item lines that are no JSON item (torn by a crash?),"
              " the first in %s"
              % (report.unreadable, report.first_unreadable), file=sys.stderr)
    if args.output:
        print("exported %d articles to %s" % (count, args.output), file=sys.stderr)
    return EXIT_OK


def extract_command(args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as fh:
            body = fh.read()
    except OSError as err:
        print("newsarchive extract: cannot read %s: %s" % (args.file, err.strerror), file=sys.stderr)
        return EXIT_FAILURE
    url = args.url or "file://" + os.path.abspath(args.file)
    from pipelines.extract import ArticleExtractor  # here: export itself needs no extractor

    extractor = ArticleExtractor()
    extraction = extractor.extract(body, url)
    if extraction.article is None:
        print("newsarchive extract: %s: no article (%s)" % (args.file, extraction.reason), file=sys.stderr)
        return EXIT_FAILURE
    item = build_item(Page(url=url, body=body), extraction, None, extractor.info)
    for name in WARC_FIELDS:
        item.pop(name, None)
    print(json.dumps(item, ensure_ascii=False, indent=2))
    return EXIT_OK


def wacz_command(args: argparse.Namespace) -> int:
    collection = Collection.open(args.root, args.collection)
    output = args.output or collection.name + ".wacz"
    pages = (
        WaczPage(url=str(i["url"]), ts=str(i.get("fetched_at") or ""), title=str(i.get("title") or ""),
                 text=str(i.get("text") or ""))
        for i in select_items(collection, default_workers())
    )
    count = write_wacz(collection.warc_files(), pages, output, title="newsarchive: %s" % collection.name)
    print("wrote %s: %d WARC files, %d article pages" % (output, len(collection.warc_files()), count))
    return EXIT_OK
