"""`newsarchive index`: rebuild a collection's CDXJ index from its WARCs."""
from __future__ import annotations

import argparse

from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "rebuild a collection's CDXJ index from its WARCs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archive.index import rebuild_index

    collection = open_collection(args.collection, args.root)
    lines = rebuild_index(collection.indexes_dir, collection.warc_files())
    print("indexed %d records of %d WARC files into %s/index.cdxj" % (
        lines, len(collection.warc_files()), collection.indexes_dir))
    return EXIT_OK
