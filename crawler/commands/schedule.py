"""`newsarchive schedule`: recurring crawls from a TOML file."""
from __future__ import annotations

import argparse
import sys

from crawler.commands import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.commands.argtypes import moment, positive

HELP = "recurring crawls from a TOML file"
# a job run's outcome -> the exit code of `schedule --run`
RUN_EXIT = {"finished": EXIT_OK, "refused": EXIT_USAGE, "interrupted": EXIT_INTERRUPTED}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", metavar="CONFIG")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--once", action="store_true", help="run what is due, then exit (cron, timers)")
    parser.add_argument("--root", default=None, metavar="DIR",
                        help="collections root (default: the file's, else collections)")
    parser.add_argument("--max-parallel", type=positive, default=1, metavar="N",
                        help="run up to N jobs at the same time (default: 1)")
    what.add_argument("--check", action="store_true",
                        help="only check the file, as a run would (options, seeds and settings)")
    what.add_argument("--run", metavar="JOB", default=None,
                        help="run JOB now, whatever its due time (recorded in its history); exit code from its outcome")
    parser.add_argument("--now", type=moment, default=None, help=argparse.SUPPRESS)  # tests, backfills


def run(args: argparse.Namespace) -> int:
    from crawler.schedule_config import ConfigError, load_config
    from crawler.scheduler import Scheduler

    try:
        jobs, options = load_config(args.config)  # every job checked as its crawl would check it
    except ConfigError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("newsarchive schedule: %d problem(s) in %s; nothing was run" % (len(err.problems), args.config),
              file=sys.stderr)
        return EXIT_USAGE
    by_name = {job.name: job for job in jobs}
    if args.run is not None and args.run not in by_name:
        raise UsageError("no job %r in %s (its jobs: %s)" % (args.run, args.config, ", ".join(by_name)))
    if args.check:
        print("%s: %d job(s), all valid" % (args.config, len(jobs)))
        return EXIT_OK
    scheduler = Scheduler(jobs, args.root or str(options.get("root", "collections")), max_parallel=args.max_parallel)
    if args.now:  # a fixed moment: for tests and for backfilling a missed schedule by hand
        scheduler.clock = lambda: args.now
    if args.run is not None:
        outcome = scheduler.run_now(by_name[args.run])
        print("%s: %s" % (args.run, outcome))
        return RUN_EXIT.get(outcome, EXIT_FAILURE)
    if not args.once:
        scheduler.serve()
        return EXIT_OK
    outcomes = scheduler.run_once()
    for job in jobs:
        print("%s: %s" % (job.name, outcomes.get(job.name, "not due")))
    return EXIT_OK if all(o == "finished" for o in outcomes.values()) else EXIT_FAILURE
