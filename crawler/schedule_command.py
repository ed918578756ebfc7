"""`newsarchive schedule` and `newsarchive runs`: the thin command-line side of scheduling."""
from __future__ import annotations

import argparse
import json
import sys

from archive.collection import Collection
from crawler.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from crawler.schedule_config import ConfigError, load_config
from crawler.scheduler import Scheduler


def schedule_command(args: argparse.Namespace) -> int:
    try:
        jobs, options = load_config(args.config)
    except ConfigError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("newsarchive schedule: %d problem(s) in %s; nothing was run" % (len(err.problems), args.config),
              file=sys.stderr)
        return EXIT_USAGE
    root = args.root or str(options.get("root", "collections"))
    if args.check:
        print("%s: %d job(s), all valid" % (args.config, len(jobs)))
        return EXIT_OK
    scheduler = Scheduler(jobs, root, max_parallel=args.max_parallel)
    if args.now:  # a fixed moment: for tests and for backfilling a missed schedule by hand
        scheduler.clock = lambda: args.now
    if not args.once:
        scheduler.serve()
        return EXIT_OK
    outcomes = scheduler.run_once()
    for job in jobs:
        print("%s: %s" % (job.name, outcomes.get(job.name, "not due")))
    return EXIT_OK if all(o == "ok" for o in outcomes.values()) else EXIT_FAILURE


def runs_command(args: argparse.Namespace) -> int:
    collection = Collection.open(args.root, args.collection)
    store = collection.store()
    try:
        jobs: dict[str, dict[str, object]] = {str(r["run_id"]): r for r in store.job_runs()}
        runs = store.runs()
    finally:
        store.close()
    if args.json:
        for run in runs:
            job = jobs.get(str(run["run_id"]), {})
            print(json.dumps({**run, "job": job.get("job"), "slot": job.get("slot"),
                              "job_outcome": job.get("outcome")}, sort_keys=True))
        return EXIT_OK
    print("%-24s %-7s %-12s %-25s %-25s %-11s %8s %8s" % (
        "run", "kind", "job", "started", "ended", "outcome", "requests", "articles"))
    for run in runs:
        job = jobs.get(str(run["run_id"]), {})
        stats: dict[str, object] = run.get("stats") or {}  # type: ignore[assignment]
        print("%-24s %-7s %-12s %-25s %-25s %-11s %8s %8s" % (
            run["run_id"], run["kind"], job.get("job") or "-", str(run["started"])[:25],
            str(run["ended"] or "-")[:25], job.get("outcome") or run["outcome"] or "running",
            stats.get("requests", "-"), stats.get("articles", "-")))
    return EXIT_OK
