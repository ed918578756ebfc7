"""`newsarchive export`: a collection's items as JSONL, each article once (its latest version)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import IO

from crawler.commands import EXIT_OK, UsageError, add_root, open_collection
from crawler.commands.argtypes import day_end, day_start

HELP = "a collection's items as JSONL, each article once"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--since", type=day_start, metavar="DATE", help="published on or after DATE (ISO 8601)")
    parser.add_argument("--until", type=day_end, metavar="DATE", help="published before or on DATE (ISO 8601)")
    parser.add_argument("--site", metavar="HOST", action="append", default=[],
                        help="only articles from HOST (and its subdomains); repeatable")
    parser.add_argument("--with-aliases", action="store_true", help="add each article's other URLs")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes that parse the item files (default: one per core; 0: none)")


def run(args: argparse.Namespace) -> int:
    from pipelines.merge import MergeFilter, MergeReport, merged_lines
    from pipelines.workers import default_workers

    collection = open_collection(args.collection, args.root)
    workers = default_workers() if args.workers is None else args.workers
    if workers < 0:
        raise UsageError("--workers must be 0 or more, not %d" % workers)
    store = collection.store() if args.with_aliases else None
    # bytes out: the lines as stored, with no decoding and encoding again
    out: IO[bytes] = open(args.output, "wb") if args.output else sys.stdout.buffer
    report = MergeReport()
    count = 0
    try:
        keep = MergeFilter(args.since, args.until, args.site)
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
