"""`newsarchive export`: a collection's items as JSONL, each article once (its latest version).

`-o FILE` appears whole or not at all (crawler/output.py). Filters that leave nothing of a
collection that has articles are not a failure (exit 0), but are told on stderr, with the sites
the collection does have: a `--site` with a typo or the wrong port must not look like an empty
collection."""
from __future__ import annotations

import argparse
import json
import sys

from crawler.commands import EXIT_OK, UsageError, add_root, open_collection
from crawler.commands.argtypes import day_end, day_start
from crawler.output import STDOUT, open_output
from crawler.progress import Timer, add_progress_option, display_for

HELP = "a collection's items as JSONL, each article once"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("-o", "--output", metavar="FILE", default=STDOUT,
                        help="write here (whole, or not at all) instead of stdout (-)")
    parser.add_argument("--since", type=day_start, metavar="DATE", help="published on or after DATE (ISO 8601)")
    parser.add_argument("--until", type=day_end, metavar="DATE", help="published before or on DATE (ISO 8601)")
    parser.add_argument("--site", metavar="HOST[:PORT]", action="append", default=[], type=site,
                        help="only articles from HOST (and its subdomains; with :PORT, on that port); repeatable")
    parser.add_argument("--with-aliases", action="store_true", help="add each article's other URLs")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes that parse the item files (default: one per core; 0: none)")
    add_progress_option(parser)


def site(value: str) -> str:
    from pipelines.merge import parse_site
    try:
        parse_site(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def run(args: argparse.Namespace) -> int:
    from crawler.progress_runs import LineCount, export_figures
    from pipelines.merge import MergeFilter, MergeReport, merged_lines
    from pipelines.workers import default_workers

    collection = open_collection(args.collection, args.root)
    workers = default_workers() if args.workers is None else args.workers
    if workers < 0:
        raise UsageError("--workers must be 0 or more, not %d" % workers)
    store = collection.store() if args.with_aliases else None
    report = MergeReport()
    display = display_for("export", args)
    files = collection.item_files()
    lines = LineCount(files)
    timer = Timer(display, lambda elapsed: export_figures(report, lines, elapsed))
    if display.enabled:
        lines.start()
    try:
        keep = MergeFilter(args.since, args.until, args.site)
        with timer, open_output(args.output) as out:
            # bytes out: the lines as stored, with no decoding and encoding again
            for line in merged_lines(files, keep, workers=workers, report=report):
                if store is not None:
                    item = json.loads(line)
                    item = dict(item, aliases=store.aliases_of(str(item["url"])))
                    line = json.dumps(item, ensure_ascii=False).encode("utf-8")
                out.write(line + b"\n")
    finally:
        lines.stop()
        if store is not None:
            store.close()
    if report.unreadable:
        print("newsarchive export: skipped %d item lines that are no JSON item (torn by a crash?),"
              " the first in %s"
              % (report.unreadable, report.first_unreadable), file=sys.stderr)
    if report.sites:
        print("newsarchive export: none of the collection's %d articles matches %s; its sites: %s"
              % (report.articles, _filters(args), _listed(report.sites)), file=sys.stderr)
    if args.output != STDOUT:
        print("exported %d articles to %s" % (report.kept, args.output), file=sys.stderr)
    return EXIT_OK


def _filters(args: argparse.Namespace) -> str:
    said = ["--site %s" % s for s in args.site]
    said += ["--since %s" % args.since.isoformat()] if args.since else []
    said += ["--until %s" % args.until.isoformat()] if args.until else []
    return " ".join(said)


def _listed(sites: list[str], most: int = 10) -> str:
    shown = ", ".join(sites[:most])
    return shown if len(sites) <= most else "%s and %d more" % (shown, len(sites) - most)
