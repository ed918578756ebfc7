"""`newsarchive index`: rebuild a collection's CDXJ index from its WARCs."""
from __future__ import annotations

import argparse
import os

from archive.collection import Collection
from archive.exceptions import ArchiveError
from archive.index import INDEX_NAME
from archive.writes import DISK_FULL, READ_ONLY, WriteFailed, failure_reason
from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "rebuild a collection's CDXJ index from its WARCs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archive.index import rebuild_index

    collection = open_collection(args.collection, args.root)
    try:
        lines = rebuild_index(collection.indexes_dir, collection.warc_files())
    except OSError as err:  # a full disk or a read-only collection: the old index stays as it was
        raise index_failure(collection, err) from err
    print("indexed %d records of %d WARC files into %s" % (
        lines, len(collection.warc_files()), os.path.join(collection.indexes_dir, INDEX_NAME)))
    return EXIT_OK


def index_failure(collection: Collection, err: OSError) -> ArchiveError:
    """An OSError met while indexing (or repairing), as one line naming the file: the index for
    the temporary files the OS names while it is written, or else the file itself."""
    index = os.path.join(collection.indexes_dir, INDEX_NAME)
    path = str(err.filename) if err.filename else index
    if os.path.abspath(path).startswith(os.path.abspath(collection.indexes_dir)):
        path = index
    if path == index or failure_reason(err) in (DISK_FULL, READ_ONLY):
        return WriteFailed(path, err)
    return ArchiveError("cannot read %s: %s" % (path, err.strerror or err))
