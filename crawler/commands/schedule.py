"""`newsarchive schedule`: recurring crawls from a TOML file."""
from __future__ import annotations

import argparse
import sys

from crawler.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from crawler.commands.argtypes import moment, positive

HELP = "recurring crawls from a TOML file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", metavar="CONFIG")
    parser.add_argument("--once", action="store_true", help="run what is due, then exit (cron, timers)")
    parser.add_argument("--root", default=None, metavar="DIR",
                        help="collections root (default: the file's, else collections)")
    parser.add_argument("--max-parallel", type=positive, default=1, metavar="N",
                        help="run up to N jobs at the same time (default: 1)")
    parser.add_argument("--check", action="store_true", help="only check the file")
    parser.add_argument("--now", type=moment, default=None, help=argparse.SUPPRESS)  # tests, backfills


def run(args: argparse.Namespace) -> int:
    from crawler.schedule_config import ConfigError, load_config
    from crawler.scheduler import Scheduler

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
