"""`newsarchive runs`: a collection's run history."""
from __future__ import annotations

import argparse
import json

from crawler.commands import EXIT_OK, add_root, open_collection

HELP = "a collection's run history"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    add_root(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per run")


def run(args: argparse.Namespace) -> int:
    collection = open_collection(args.collection, args.root)
    store = collection.store()
    try:
        jobs: dict[str, dict[str, object]] = {str(r["run_id"]): r for r in store.job_runs()}
        runs = store.runs()
    finally:
        store.close()
    if args.json:
        for run_ in runs:
            job = jobs.get(str(run_["run_id"]), {})
            print(json.dumps({**run_, "job": job.get("job"), "slot": job.get("slot"),
                              "job_outcome": job.get("outcome")}, sort_keys=True))
        return EXIT_OK
    print("%-24s %-7s %-12s %-25s %-25s %-11s %8s %8s" % (
        "run", "kind", "job", "started", "ended", "outcome", "requests", "articles"))
    for run_ in runs:
        job = jobs.get(str(run_["run_id"]), {})
        stats: dict[str, object] = run_.get("stats") or {}  # type: ignore[assignment]
        print("%-24s %-7s %-12s %-25s %-25s %-11s %8s %8s" % (
            run_["run_id"], run_["kind"], job.get("job") or "-", str(run_["started"])[:25],
            str(run_["ended"] or "-")[:25], job.get("outcome") or run_["outcome"] or "running",
            stats.get("requests", "-"), stats.get("articles", "-")))
    return EXIT_OK
