"""`newsarchive schedule`: recurring crawls from a TOML file; `--status` of its jobs."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from crawler.commands import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.commands.argtypes import moment, port, positive

if TYPE_CHECKING:
    from crawler.scheduler import Scheduler

HELP = "recurring crawls from a TOML file"
# a job run's outcome -> the exit code of `schedule --run`
RUN_EXIT = {"finished": EXIT_OK, "refused": EXIT_USAGE, "interrupted": EXIT_INTERRUPTED}
SERVICE_LOGGER = "newsarchive.schedule"


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
    what.add_argument("--status", action="store_true",
                      help="print each job's last run (outcome, articles, why none) and next due time; "
                           "works while a scheduler runs")
    parser.add_argument("--json", action="store_true", help="with --status: one JSON object per job")
    parser.add_argument("--metrics-port", type=port, default=None, metavar="PORT",
                        help="as a service: serve Prometheus metrics on 127.0.0.1:PORT/metrics")
    parser.add_argument("--now", type=moment, default=None, help=argparse.SUPPRESS)  # tests, backfills


class _ToCommandHandlers(logging.Handler):
    """Hands the service's lines to the handlers main() installed, whatever their level: a person
    running the service must see each job start and end without -v (the file, format and
    redaction of those handlers still apply)."""

    def emit(self, record: logging.LogRecord) -> None:
        for handler in logging.root.handlers:
            handler.handle(record)


@contextmanager
def service_lines_shown(quiet: bool) -> Iterator[None]:
    """The service's INFO lines shown at the default level (with -q: its warnings and errors only)."""
    if quiet:
        yield
        return
    service = logging.getLogger(SERVICE_LOGGER)
    forward = _ToCommandHandlers(logging.INFO)
    saved = (service.level, service.propagate)
    service.setLevel(logging.INFO)
    service.addHandler(forward)
    service.propagate = False  # else -v would print each line twice
    try:
        yield
    finally:
        service.removeHandler(forward)
        service.setLevel(saved[0])
        service.propagate = saved[1]


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
    if args.json and not args.status:
        raise UsageError("--json goes with --status")
    if args.metrics_port is not None and (args.once or args.check or args.status or args.run is not None):
        raise UsageError("--metrics-port is for the service (without --once, --check, --run or --status)")
    if args.check:
        print("%s: %d job(s), all valid" % (args.config, len(jobs)))
        return EXIT_OK
    scheduler = Scheduler(jobs, args.root or str(options.get("root", "collections")), max_parallel=args.max_parallel,
                          log_args=crawl_log_args(args))
    if args.now:  # a fixed moment: for tests and for backfilling a missed schedule by hand
        scheduler.clock = lambda: args.now
    if args.status:
        return print_status(scheduler, args.json)
    if args.run is not None:
        outcome = scheduler.run_now(by_name[args.run])
        print("%s: %s" % (args.run, scheduler.outcome_texts.get(args.run, outcome)))
        return RUN_EXIT.get(outcome, EXIT_FAILURE)
    if not args.once:
        return serve(scheduler, args.config, args.metrics_port, bool(getattr(args, "quiet", False)))
    outcomes = scheduler.run_once()
    for job in jobs:
        print("%s: %s" % (job.name, scheduler.outcome_texts.get(job.name, outcomes.get(job.name, "not due"))))
    return EXIT_OK if all(o == "finished" for o in outcomes.values()) else EXIT_FAILURE


def print_status(scheduler: Scheduler, as_json: bool) -> int:
    from crawler.schedule_status import job_status, status_table

    now = scheduler.clock()
    rows = [job_status(job, scheduler.root, now) for job in scheduler.jobs]
    for line in ([json.dumps(row, sort_keys=True) for row in rows] if as_json else status_table(rows)):
        print(line)
    return EXIT_OK


def crawl_log_args(args: argparse.Namespace) -> tuple[str, ...]:
    """The scheduler's log options its crawls take too: their lines go where its lines go, alike;
    their progress as plain lines."""
    found: list[str] = []
    if getattr(args, "log_format", "text") != "text":
        found += ["--log-format", args.log_format]
    if getattr(args, "log_file", None):
        found += ["--log-file", os.path.abspath(args.log_file)]
    if getattr(args, "quiet", False):
        found.append("-q")
    else:  # its crawls share its stderr, a terminal perhaps: live areas would draw over each other
        found += ["--progress", "plain"]
    return tuple(found)


def serve(scheduler: Scheduler, config: str, metrics_port: int | None, quiet: bool) -> int:
    with service_lines_shown(quiet):
        server = None
        if metrics_port is not None:
            from crawler.schedule_metrics import ScheduleMetrics
            from crawler.schedule_status import job_status

            metrics = ScheduleMetrics()
            for job in scheduler.jobs:
                metrics.add_job(job_status(job, scheduler.root, scheduler.clock()))
            try:
                server = metrics.serve(metrics_port)
            except OSError as err:
                print("newsarchive schedule: cannot serve metrics on 127.0.0.1:%d: %s"
                      % (metrics_port, err.strerror or err), file=sys.stderr)
                return EXIT_FAILURE
            scheduler.watchers.append(metrics)
            logging.getLogger(SERVICE_LOGGER).info("schedule: metrics on http://127.0.0.1:%d/metrics",
                                                   server.server_port)
        try:
            scheduler.serve(config)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
    return EXIT_OK
