"""`newsarchive index`: rebuild a collection's CDXJ index from its WARCs."""
from __future__ import annotations

import argparse
import os

from archive.exceptions import ArchiveError
from archive.writes import WriteFailed
from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "rebuild a collection's CDXJ index from its WARCs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archive.index import INDEX_NAME, rebuild_index

    collection = open_collection(args.collection, args.root)
    index = os.path.join(collection.indexes_dir, INDEX_NAME)
    try:
        lines = rebuild_index(collection.indexes_dir, collection.warc_files())
    except OSError as err:  # a full disk or a read-only collection: the old index stays as it was
        if err.filename and not os.path.abspath(str(err.filename)).startswith(os.path.abspath(collection.indexes_dir)):
            raise ArchiveError("cannot read %s: %s" % (err.filename, err.strerror or err)) from err
        raise WriteFailed(index, err) from err
    print("indexed %d records of %d WARC files into %s" % (lines, len(collection.warc_files()), index))
    return EXIT_OK
