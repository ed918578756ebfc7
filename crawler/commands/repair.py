"""`newsarchive repair`: put right what runs that did not end left behind."""
from __future__ import annotations

import argparse

from archive.collection import Collection
from crawler.commands import EXIT_FAILURE, EXIT_OK, add_root, open_collection
from crawler.commands.index import index_failure

HELP = "close WARC files a crashed run left open, index them, end its run; --rebuild-store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("--rebuild-store", action="store_true",
                        help="move a damaged state/store.sqlite aside and rebuild it from the item files, "
                             "WARCs and run reports")


def run(args: argparse.Namespace) -> int:
    from archive.run import repair_collection
    from crawler.report import repair_lines

    collection = open_collection(args.collection, args.root)
    try:
        with collection.lock():  # no run is alive while we hold the lock
            rebuilt = _rebuild(collection) if args.rebuild_store else []
            with collection.store() as store:
                repair = repair_collection(collection, store)
    except OSError as err:  # a full disk while indexing: what was repaired before stays
        raise index_failure(collection, err) from err
    print("\n".join(rebuilt + repair_lines(repair, collection)))
    return EXIT_FAILURE if repair.index_error else EXIT_OK


def _rebuild(collection: Collection) -> list[str]:
    """Rebuild the store (WARC files a crash left open are closed first: their records count)."""
    from archive.rebuild import rebuild_store
    from archive.repair import repair_directory
    from pipelines.canonical import canonicalize

    closed = repair_directory(collection.archive_dir)
    done = rebuild_store(collection, canonicalize)
    lines = ["%s: kept %d records (%d bytes), dropped %d bytes" % (r.path, r.records, r.kept_bytes, r.dropped_bytes)
             for r in closed]
    lines.append("moved the damaged store to %s" % done.moved_to if done.moved_to else
                 "there was no store at %s" % collection.store_path)
    lines.append("rebuilt %s from %d item file(s) and %d WARC file(s): %d articles, %d aliases, %d payload digests,"
                 " %d validators, %d runs" % (collection.store_path, len(collection.item_files()),
                                              len(collection.warc_files()), done.articles, done.aliases,
                                              done.payloads, done.validators, done.runs))
    lines += ["could not read all of %s" % problem for problem in done.problems]
    return lines
