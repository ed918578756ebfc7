"""`newsarchive replay`: WARC files or a collection -> items, offline."""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from archive.collection import Collection
from archive.exceptions import CollectionError
from archive.writes import as_write_failure
from crawler.commands import UsageError, add_root, collection_location, open_collection
from crawler.progress import Timer, add_progress_option, display_for

HELP = "WARC files or a collection -> items, offline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="WARC file, directory, or the name of a collection under --root")
    parser.add_argument("--collection", required=True, metavar="NAME", help="collection name or path to write")
    add_root(parser)
    add_progress_option(parser)


def resolve_sources(sources: list[str], root: str | None) -> list[str]:
    """Paths as given; a name that is no path but a collection under `root` means its archive/."""
    paths = []
    for source in sources:
        if os.path.exists(source):
            paths.append(source)
            continue
        try:
            paths.append(open_collection(source, root).archive_dir)
        except CollectionError:
            raise UsageError("no such WARC file, directory or collection: %s" % source) from None
    return paths


def run(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import warm_up_workers
    warm_up_workers()
    from archive.reader import find_warc_files
    from crawler.progress_runs import ReplayWatch, file_sizes, replay_figures
    from crawler.replay import replay
    from crawler.report import exit_code, print_summary

    paths = resolve_sources(args.sources, args.root)
    collection = Collection.create(*collection_location(args.collection, args.root))
    watch = ReplayWatch()
    display = display_for("replay", args)
    sizes = file_sizes(find_warc_files(paths)) if display.enabled else {}
    timer = Timer(display, lambda elapsed: replay_figures(watch, sizes, elapsed))
    try:
        with timer:  # each piece of unreadable data is logged once, as it is met
            report = replay(paths, collection, watch=watch)
    except (OSError, sqlite3.OperationalError) as err:  # a full disk: the items written so far stay whole
        failure = as_write_failure(err, collection.store_path)
        if failure is None:
            raise
        raise failure from err
    print_summary(report, collection, sys.stdout)
    return exit_code(report)
