"""`newsarchive report`: per-site health across a collection's crawl runs (template changes, sites
gone silent or failing), as text, JSON or one self-contained HTML page.

(crawler/report.py is something else: the report of ONE run, written at its end.)
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime, timezone
from typing import Any

from archive.collection import Collection, iter_items
from crawler.commands import EXIT_FAILURE, EXIT_OK, add_root, open_collection
from crawler.commands.argtypes import day_start
from pipelines.site_health import FIELDS, Thresholds, Unit, analyse

NAME = "report"
HELP = "per-site health across runs: yield and metadata drops, silent or failing sites"
logger = logging.getLogger(__name__)
ITEM_KEYS = ("url", "run", *FIELDS)  # all the analysis reads of an item


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("--since", type=day_start, metavar="DATE",
                        help="only runs started on or after DATE (ISO 8601)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    parser.add_argument("--html", metavar="FILE", help="also write the report as one self-contained HTML file")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # (stored times are UTC)


def _started(report: dict[str, Any]) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(str(report.get("started"))))
    except ValueError:
        return None


def load_reports(collection: Collection, since: datetime | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The crawl runs' reports, oldest first, and one line per report left out and why. Replays
    re-extract old captures and interrupted runs stopped early: neither says how a site is doing."""
    reports, notes = [], []
    names = sorted(os.listdir(collection.runs_dir)) if os.path.isdir(collection.runs_dir) else []
    for name in (n for n in names if n.endswith(".json")):
        path = os.path.join(collection.runs_dir, name)
        try:
            with open(path, encoding="utf-8") as fh:
                report = json.load(fh)
        except (OSError, ValueError) as err:
            notes.append("%s: unreadable run report, left out (%s)" % (path, err))
            continue
        if not isinstance(report, dict) or "run" not in report:
            notes.append("%s: not a run report (no \"run\"), left out" % path)
            continue
        started = _started(report)
        if report.get("kind", "crawl") != "crawl" or report.get("outcome") == "interrupted":
            continue
        if since is not None and (started is None or started < _aware(since)):
            continue
        reports.append(report)
    reports.sort(key=lambda r: (str(r.get("started") or ""), str(r["run"])))
    return reports, notes


def load_items(collection: Collection, runs: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The analysed runs' items, keyed by run, with only the keys the analysis reads."""
    files = [p for p in collection.item_files() if os.path.basename(p).split(".")[0] in runs]
    out: dict[str, list[dict[str, Any]]] = {}
    for _path, _line, item in iter_items(files):
        run = str(item.get("run") or "")
        if run in runs:
            out.setdefault(run, []).append({k: item.get(k) for k in ITEM_KEYS})
    return out


def _series(unit: Unit) -> str:
    articles = " ".join(str(p.articles) for p in unit.points)
    parts = ["articles per run: %s" % articles]
    for name in ("authors", "published"):
        shares = [p.share(name) for p in unit.points]
        parts.append("%s missing: %s" % (name, " ".join("-" if s is None else "%d%%" % round(s * 100)
                                                         for s in shares)))
    return "; ".join(parts)


def print_text(name: str, reports: list[dict[str, Any]], units: list[Unit], out: Any) -> None:
    flagged = [u for u in units if u.flags]
    out.write("site health of %s: %d crawl runs, %d sites and sections, %d flagged\n"
              % (name, len(reports), len(units), len(flagged)))
    for unit in units:
        out.write("%s %s\n" % ("FLAGGED" if unit.flags else "ok     ", unit.name))
        for flag in unit.flags:
            out.write("    - %s\n" % flag.message)
        out.write("    %s\n" % _series(unit))


def write_html(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def run(args: argparse.Namespace) -> int:
    from crawler.health_html import render

    collection = open_collection(args.collection, args.root)
    reports, notes = load_reports(collection, args.since)
    for note in notes:
        print("newsarchive report: %s" % note, file=sys.stderr)
    thresholds = Thresholds()
    units = analyse(reports, load_items(collection, {str(r["run"]) for r in reports}), thresholds)
    runs = [(str(r["run"]), str(r.get("started") or "")) for r in reports]
    if args.json:
        print(json.dumps({"collection": collection.name, "runs": [{"run": r, "started": s} for r, s in runs],
                          "rules": thresholds.describe(), "units": [u.to_dict() for u in units]},
                         indent=2, sort_keys=True))
    else:
        print_text(collection.name, reports, units, sys.stdout)
    if args.html:
        try:
            write_html(args.html, render(collection.name, runs, units, thresholds))
        except OSError as err:
            print("newsarchive report: cannot write %s: %s" % (args.html, err.strerror or err), file=sys.stderr)
            return EXIT_FAILURE
        if not args.json:
            print("HTML report: %s" % args.html)
    return EXIT_OK
