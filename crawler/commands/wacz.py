"""`newsarchive wacz`: package a collection as WACZ for ReplayWeb.page (`-o` appears whole or not
at all: crawler/output.py)."""
from __future__ import annotations

import argparse
import json
import sys

from crawler.commands import EXIT_OK, add_root, open_collection
from crawler.output import STDOUT, output_path

HELP = "package a collection as WACZ for ReplayWeb.page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="default: COLLECTION.wacz; - for stdout")


def run(args: argparse.Namespace) -> int:
    from archive.wacz import WaczPage, write_wacz
    from pipelines.merge import merged_lines
    from pipelines.workers import default_workers

    collection = open_collection(args.collection, args.root)
    output = args.output or collection.name + ".wacz"
    items = (json.loads(line) for line in merged_lines(collection.item_files(), workers=default_workers()))
    pages = (
        WaczPage(url=str(i["url"]), ts=str(i.get("fetched_at") or ""), title=str(i.get("title") or ""),
                 text=str(i.get("text") or ""))
        for i in items
    )
    with output_path(output) as path:
        count = write_wacz(collection.warc_files(), pages, path, title="newsarchive: %s" % collection.name)
    print("wrote %s: %d WARC files, %d article pages" % ("stdout" if output == STDOUT else output,
                                                         len(collection.warc_files()), count),
          file=sys.stderr if output == STDOUT else sys.stdout)  # stdout carries the WACZ then
    return EXIT_OK
