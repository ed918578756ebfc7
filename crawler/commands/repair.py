"""`newsarchive repair`: put right what runs that did not end left behind."""
from __future__ import annotations

import argparse

from crawler.commands import EXIT_FAILURE, EXIT_OK, add_root, open_collection

HELP = "close WARC files a crashed run left open, index them, end its run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archive.run import repair_collection
    from crawler.report import repair_lines

    collection = open_collection(args.collection, args.root)
    with collection.lock(), collection.store() as store:  # no run is alive while we hold the lock
        repair = repair_collection(collection, store)
    print("\n".join(repair_lines(repair, collection)))
    return EXIT_FAILURE if repair.index_error else EXIT_OK
