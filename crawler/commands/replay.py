"""`newsarchive replay`: WARC files or a collection -> items, offline."""
from __future__ import annotations

import argparse
import io
import os
import sqlite3
import sys
from typing import Any

from archive.collection import Collection
from archive.exceptions import CollectionError
from archive.writes import as_write_failure
from crawler.commands import UsageError, add_root, collection_location, open_collection

HELP = "WARC files or a collection -> items, offline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="WARC file, directory, or the name of a collection under --root")
    parser.add_argument("--collection", required=True, metavar="NAME", help="collection name or path to write")
    add_root(parser)


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
    from crawler.replay import replay
    from crawler.report import exit_code, print_summary

    paths = resolve_sources(args.sources, args.root)
    collection = Collection.create(*collection_location(args.collection, args.root))
    try:
        report = replay(paths, collection)  # each piece of unreadable data is logged once, as it is met
    except (OSError, sqlite3.OperationalError) as err:  # a full disk: the items written so far stay whole
        failure = as_write_failure(err, collection.store_path)
        if failure is None:
            raise
        raise failure from err
    summary = io.StringIO()
    print_summary(report, collection, summary)
    sys.stdout.write(with_read_lines(summary.getvalue(), report))
    return exit_code(report)


def read_lines(report: dict[str, Any]) -> list[str]:
    """What reading found beyond the counts print_summary gives: bytes skipped, records read
    despite their Content-Length, the payload digests' verdicts."""
    read = report.get("read") or {}
    digests = read.get("payload_digests") or {}
    mismatches = read.get("digest_mismatches") or []
    lines = []
    if read.get("skipped_stretches"):
        lines.append("  bytes skipped     %d  (in %d unreadable stretch(es), each named above)" % (
            read.get("skipped_bytes", 0), len(read["skipped_stretches"])))
    if read.get("misframed_records"):
        lines.append("  bad lengths       %d  (records whose Content-Length is off, read whole)"
                     % len(read["misframed_records"]))
    lines.append("  payload digests   %d checked: %d match, %d MISMATCH%s; %d unchecked, %d without one" % (
        digests.get("match", 0) + digests.get("mismatch", 0), digests.get("match", 0), len(mismatches),
        " (each named above; replayed all the same)" if mismatches else "", digests.get("unchecked", 0),
        digests.get("absent", 0)))
    return lines


def with_read_lines(summary: str, report: dict[str, Any]) -> str:
    """The summary with read_lines after its 'unreadable data' line (crawler/report.py prints
    the rest)."""
    lines = summary.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("  unreadable data")), 1)
    return "\n".join(lines[:at] + read_lines(report) + lines[at:])
