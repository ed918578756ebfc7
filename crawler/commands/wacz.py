"""`newsarchive wacz`: package a collection as WACZ for ReplayWeb.page (`-o` appears whole or not
at all: crawler/output.py)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from crawler.commands import EXIT_FAILURE, EXIT_OK, add_root, open_collection
from crawler.output import STDOUT, output_path
from crawler.progress import Timer, add_progress_option, display_for

HELP = "package a collection as WACZ for ReplayWeb.page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="default: COLLECTION.wacz; - for stdout")
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    from archive.wacz import WaczPage, WaczProgress, WaczReport, write_wacz
    from crawler.progress_runs import file_sizes, wacz_figures
    from pipelines.merge import MergeReport, merged_lines
    from pipelines.workers import default_workers

    collection = open_collection(args.collection, args.root)
    output = args.output or collection.name + ".wacz"
    lines = MergeReport()  # item lines that are no item are skipped as export skips them
    items = (json.loads(line) for line in merged_lines(collection.item_files(), workers=default_workers(),
                                                       report=lines))
    pages = (
        WaczPage(url=i["url"], ts=_capture_time(i), title=str(i.get("title") or ""), text=str(i.get("text") or ""))
        for i in items
    )
    report = WaczReport()
    progress = WaczProgress()
    warcs = collection.warc_files()
    total = sum(file_sizes(warcs).values())
    with output_path(output) as path:
        timer = Timer(display_for("wacz", args), lambda elapsed: wacz_figures(progress, total, elapsed,
                                                                     lambda: _size(path)))
        with timer:
            count = write_wacz(warcs, pages, path, title="newsarchive: %s" % collection.name,
                               report=report, progress=progress)
    if lines.unreadable:
        print("newsarchive wacz: skipped %d item lines that are no JSON item (torn by a crash?), the first in %s"
              % (lines.unreadable, lines.first_unreadable), file=sys.stderr)
    if report.pages_without_time:
        print("newsarchive wacz: left %d articles without a capture time out of the page list"
              % report.pages_without_time, file=sys.stderr)
    if report.problems:  # each is logged as it is met
        print("newsarchive wacz: left %d unreadable spots of the WARC files out, the first: %s"
              % (len(report.problems), report.problems[0]), file=sys.stderr)
    print("wrote %s: %d WARC files, %d article pages" % ("stdout" if output == STDOUT else output,
                                                         len(collection.warc_files()), count),
          file=sys.stderr if output == STDOUT else sys.stdout)  # stdout carries the WACZ then
    return EXIT_FAILURE if report.problems else EXIT_OK


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _capture_time(item: dict[str, Any]) -> str:
    """When the article's page was fetched: its `fetched_at`, else the date of its WARC record."""
    warc = item.get("warc")
    for value in (item.get("fetched_at"), warc.get("date") if isinstance(warc, dict) else None):
        if isinstance(value, str) and value:
            return value
    return ""
