"""`newsarchive repair`: close the WARC files a crashed run left open."""
from __future__ import annotations

import argparse

from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "close WARC files a crashed run left open"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archive.repair import repair_directory

    collection = open_collection(args.collection, args.root)
    with collection.lock():
        repaired = repair_directory(collection.archive_dir)
    for r in repaired:
        print("%s: kept %d records (%d bytes), dropped %d bytes" % (
            r.path, r.records, r.kept_bytes, r.dropped_bytes))
    print("repaired %d open WARC file(s) in %s" % (len(repaired), collection.archive_dir))
    return EXIT_OK
