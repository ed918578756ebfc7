"""`newsarchive demo`: serve the bundled demo site and crawl it into a collection."""
from __future__ import annotations

import argparse
import sys

from archive.collection import Collection
from crawler.commands import EXIT_OK, add_root, collection_location

HELP = "serve the demo site and crawl it into collection 'demo'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--collection", default="demo", metavar="NAME",
                        help="collection name or path (default: demo)")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from crawler.report import print_summary
    from crawler.run_crawl import run_crawl
    from demosite import DemoSite

    collection = Collection.create(*collection_location(args.collection, args.root))
    with DemoSite() as site:
        print("demo site serving at %s" % site.url, flush=True)
        report = run_crawl(collection, [site.url], allow_private=True, verbose=args.verbose)
    print_summary(report, collection, sys.stdout)
    return EXIT_OK
