"""`newsarchive runs`: a collection's run history."""
from __future__ import annotations

import argparse
import json
from typing import Any

from archive.run import Outcome
from archive.store import Store
from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "a collection's run history"
COLUMNS = ("run", "kind", "job", "started", "ended", "outcome", "requests", "articles")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per run")


def history(store: Store) -> list[dict[str, Any]]:
    """Every run, oldest first, with its scheduled job if it had one, and one outcome.

    A job's outcome is its process's (known once the process has exited); a job whose crawl was
    refused or died before it recorded a run still shows, from the scheduler's record."""
    jobs = {str(j["run_id"]): j for j in store.job_runs()}
    rows = []
    for run_ in store.runs():
        job = jobs.pop(str(run_["run_id"]), None)
        outcome = Outcome.of(str(run_["outcome"]))
        if job is not None and job["outcome"] is not Outcome.RUNNING:
            outcome = Outcome.of(str(job["outcome"]))
        rows.append({**run_, "outcome": outcome, "job": job and job["job"], "slot": job and job["slot"]})
    for job in jobs.values():  # no run recorded: refused, or it died before it began
        rows.append({"run_id": job["run_id"], "kind": "crawl", "started": job["started"], "ended": job["ended"],
                     "outcome": job["outcome"], "stats": job["counts"], "job": job["job"], "slot": job["slot"]})
    return sorted(rows, key=lambda r: str(r["started"]))


def run(args: argparse.Namespace) -> int:
    collection = open_collection(args.collection, args.root)
    with collection.store() as store:
        rows = history(store)
    if args.json:
        for row in rows:
            print(json.dumps(row, sort_keys=True))
        return EXIT_OK
    table = [COLUMNS] + [
        (str(r["run_id"]), str(r["kind"]), str(r["job"] or "-"), str(r["started"]), str(r["ended"] or "-"),
         str(r["outcome"]), str(r["stats"].get("requests", "-")), str(r["stats"].get("articles", "-")))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    for cells in table:  # times in full ISO 8601 with their zone, as stored
        print("  ".join(cell.rjust(w) if i >= 6 else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
    return EXIT_OK
