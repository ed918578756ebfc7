"""`newsarchive schedule`: runs each due job as its own crawl process, and remembers.

The history of job runs lives in each collection's store; it is also the scheduler's memory,
so a restarted scheduler knows what already ran: a missed slot runs once, never twice. A job
never runs twice at once: the collection's writer lock (held by the crawl process, released by
the kernel if it dies) says whether a run is still going.
"""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import FrameType
from typing import Any, Protocol

from archive.collection import Collection, new_run_id
from archive.exceptions import CollectionError
from archive.outcome import Outcome
from crawler.schedule_config import Job
from crawler.schedule_status import moment_text, next_due, nothing_because, outcome_text, read_report

logger = logging.getLogger(__name__)
# the service's own lines (a job's start, end and next due time): a person watching the service
# needs them at the default level, so the command makes this logger's INFO lines show
events = logging.getLogger("newsarchive.schedule")

POLL_SECONDS = 30.0
BUSY = "busy"  # a due job not run: its collection was being written
# a crawl's exit code -> its job run's outcome (a signal, a negative code: interrupted)
CRAWL_EXITS = {0: Outcome.FINISHED, 1: Outcome.FAILED, 2: Outcome.REFUSED, 130: Outcome.INTERRUPTED}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Running:
    job: Job
    run_id: str
    process: subprocess.Popen[bytes]
    slot: datetime = field(default_factory=utc_now)
    started: datetime = field(default_factory=utc_now)  # by the scheduler's clock
    began: float = field(default_factory=time.monotonic)  # for its duration, whatever the clock says


class Watcher(Protocol):
    """Told of each job run's start and end (the metrics endpoint is one)."""

    def started(self, running: Running, due: datetime) -> None: ...

    def ended(self, running: Running, outcome: str, counts: dict[str, Any], report: dict[str, Any],
              due: datetime) -> None: ...


class Scheduler:
    def __init__(self, jobs: list[Job], root: str, *, clock: Callable[[], datetime] = utc_now,
                 max_parallel: int = 1, python: str = sys.executable, log_args: tuple[str, ...] = ()) -> None:
        self.jobs = jobs
        self.root = root
        self.clock = clock
        self.max_parallel = max(1, max_parallel)
        self.python = python
        self.log_args = log_args  # the service's log options for its crawls (a JSON log stays JSON)
        self.running: dict[str, Running] = {}
        self.busy: set[str] = set()  # due jobs skipped because their collection was being written
        self.watchers: list[Watcher] = []
        self.outcome_texts: dict[str, str] = {}  # job -> its last run's outcome, as a person reads it
        self.last_slots: dict[str, datetime | None] = {}  # job -> the slot of its latest run, once read
        self._last_run_id = ""
        self._stopping = False

    # -- deciding ---------------------------------------------------------------------------
    def last_slot(self, job: Job) -> datetime | None:
        """The slot of the job's latest run, from its history (the store), or None if it never ran."""
        runs = Collection.create(self.root, job.collection).store()
        try:
            history = runs.job_runs(job.name)
        finally:
            runs.close()
        last = datetime.fromisoformat(str(history[-1]["slot"])) if history else None
        self.last_slots[job.name] = last
        return last

    def next_due(self, job: Job, now: datetime | None = None) -> datetime:
        """When `job` is due next (at or before now: due); from the history read last."""
        last = self.last_slots[job.name] if job.name in self.last_slots else self.last_slot(job)
        return next_due(job, last, now or self.clock())

    def due_slot(self, job: Job, now: datetime) -> datetime | None:
        """The slot a run of `job` would fill now, or None if the job is not due."""
        due = next_due(job, self.last_slot(job), now)
        if due > now:
            return None
        return now if job.interval is not None else due

    def _busy(self, job: Job) -> bool:
        """Is the job's collection being written (by a run this scheduler did not start, say)?"""
        try:
            Collection.create(self.root, job.collection).lock().acquire().release()
        except CollectionError:
            return True
        return False

    # -- running ----------------------------------------------------------------------------
    def start(self, job: Job, slot: datetime) -> Running:
        started = self.clock()
        run_id = new_run_id(started)
        if run_id <= self._last_run_id:  # a fixed clock (--now): two jobs sharing a collection differ still
            run_id = new_run_id(datetime.strptime(self._last_run_id, "%Y%m%dT%H%M%S%fZ") + timedelta(microseconds=1))
        self._last_run_id = run_id
        args = [self.python, "-m", "crawler", *job.crawl_args(self.root), *self.log_args,
                "-s", "ARCHIVE_RUN_ID=" + run_id]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=None)
        store = Collection.create(self.root, job.collection).store()
        try:
            store.start_job_run(run_id, job.name, slot.isoformat(), started.isoformat(), process.pid)
        finally:
            store.close()
        running = Running(job, run_id, process, slot, started)
        self.running[job.name] = running
        self.last_slots[job.name] = slot
        due = self.next_due(job)
        events.info("job %s: started run %s (slot %s, pid %d); next due %s", job.name, run_id,
                    moment_text(slot), process.pid, moment_text(due),
                    extra={"event": "job_started", "run": run_id, "job": job.name, "slot": slot.isoformat(),
                           "pid": process.pid, "next_due": due.isoformat()})
        for watcher in self.watchers:
            watcher.started(running, due)
        return running

    def finish(self, running: Running, returncode: int) -> str:
        job = running.job
        collection = Collection.create(self.root, job.collection)
        outcome = CRAWL_EXITS.get(returncode, Outcome.INTERRUPTED if returncode < 0 else Outcome.FAILED)
        counts: dict[str, Any] = {"exit_code": returncode}
        report = read_report(collection.run_report_path(running.run_id))
        if report:
            counts.update(requests=report.get("requests"), articles=report.get("articles"),
                          bytes=report.get("archive", {}).get("bytes"),
                          finish_reason=report.get("finish_reason"))
            reason = nothing_because(report)
            if reason:
                counts["nothing_because"] = reason
            if report.get("finish_reason") == "shutdown":
                outcome = Outcome.INTERRUPTED
        store = collection.store()
        try:
            store.end_job_run(running.run_id, self.clock().isoformat(), outcome, counts)
        finally:
            store.close()
        self.running.pop(job.name, None)
        seconds = round(time.monotonic() - running.began, 1)
        self.outcome_texts[job.name] = outcome_text(outcome, counts)
        due = self.next_due(job)
        events.log(logging.INFO if outcome == Outcome.FINISHED else logging.WARNING,
                   "job %s: run %s ended: %s, in %.1f s; next due %s", job.name, running.run_id,
                   self.outcome_texts[job.name], seconds, moment_text(due),
                   extra={"event": "job_ended", "run": running.run_id, "job": job.name, "outcome": str(outcome),
                          "articles": counts.get("articles"), "nothing_because": counts.get("nothing_because"),
                          "duration_s": seconds, "exit_code": returncode, "next_due": due.isoformat()})
        for watcher in self.watchers:
            watcher.ended(running, outcome, counts, report, due)
        return outcome

    def mark_orphans(self) -> None:
        """Runs a dead scheduler left 'started': ended if their crawl is gone, else left running."""
        for job in self.jobs:
            collection = Collection.create(self.root, job.collection)
            if self._busy(job):
                continue
            store = collection.store()
            try:
                for run in store.job_runs(job.name):
                    if Outcome.of(str(run["outcome"]) if run["outcome"] else None) is Outcome.RUNNING:
                        store.end_job_run(str(run["run_id"]), self.clock().isoformat(), Outcome.INTERRUPTED,
                                          {"note": "the scheduler stopped while it ran"})
            finally:
                store.close()

    def launch_due(self) -> list[Running]:
        started = []
        now = self.clock()
        for job in self.jobs:
            if self._stopping or len(self.running) >= self.max_parallel:
                break
            if job.name in self.running:
                continue
            slot = self.due_slot(job, now)
            if slot is None:
                continue
            if self._busy(job):
                if job.name not in self.busy:
                    logger.warning("job %s is due but collection %r is being written; skipped",
                                   job.name, job.collection)
                self.busy.add(job.name)
                continue
            self.busy.discard(job.name)
            started.append(self.start(job, slot))
        return started

    def reap(self, block: bool) -> dict[str, str]:
        outcomes = {}
        for name, running in list(self.running.items()):
            code = running.process.wait() if block else running.process.poll()
            if code is not None:
                outcomes[name] = self.finish(running, code)
        return outcomes

    def run_now(self, job: Job) -> str:
        """Run `job` now, whatever its due time, and wait for it: its outcome, recorded in the job
        history as a run in the slot `now` (BUSY if its collection is being written)."""
        self.mark_orphans()
        if self._busy(job):
            logger.warning("collection %r is being written; job %s not run", job.collection, job.name)
            return BUSY
        running = self.start(job, self.clock())
        return self.finish(running, running.process.wait())

    def run_once(self) -> dict[str, str]:
        """Run what is due now (up to max_parallel at a time) and wait for it; job -> outcome."""
        self.mark_orphans()
        outcomes: dict[str, str] = {}
        while True:
            started = self.launch_due()
            if not started and not self.running:
                outcomes.update({name: BUSY for name in self.busy if name not in outcomes})
                return outcomes
            outcomes.update(self.reap(block=True))

    def announce(self, source: str) -> None:
        """The service's first line: its jobs and when each is next due."""
        now = self.clock()
        dues = ["%s %s" % (job.name, self._due_text(job, now)) for job in self.jobs]
        events.info("schedule: serving %d job(s) from %s (root %s): %s", len(self.jobs), source, self.root,
                    "; ".join(dues), extra={"event": "schedule_started", "jobs": len(self.jobs)})

    def _due_text(self, job: Job, now: datetime) -> str:
        due = self.next_due(job, now)
        if job.name in self.running:
            return "running, next due %s" % moment_text(due)
        return "next due %s%s" % (moment_text(due), " (due now)" if due <= now else "")

    def announce_next(self) -> None:
        """After a start or an end: which job is due next, and when (the service's idle line)."""
        now = self.clock()
        waiting = [(self.next_due(job, now), job.name) for job in self.jobs if job.name not in self.running]
        running = sorted(self.running)
        if not waiting:
            events.info("schedule: running %s", ", ".join(running), extra={"event": "running",
                                                                          "running": ", ".join(running)})
            return
        due, name = min(waiting)
        events.info("schedule: next due: %s at %s%s", name, moment_text(due),
                    "; running: %s" % ", ".join(running) if running else "",
                    extra={"event": "next_due", "job": name, "next_due": due.isoformat(),
                           "running": ", ".join(running)})

    def _wait_seconds(self) -> float:
        """Until the soonest job is due (at most POLL_SECONDS: a clock may jump)."""
        now = self.clock()
        waits = [(self.next_due(job, now) - now).total_seconds() for job in self.jobs if job.name not in self.running]
        return min([POLL_SECONDS, *[max(w, 0.0) for w in waits]])

    def serve(self, source: str = "the schedule file") -> None:
        """Run due jobs until SIGTERM or SIGINT; a stop lets running crawls close cleanly."""
        self.mark_orphans()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.announce(source)
            while not self._stopping:
                ended = self.reap(block=False)  # first: a job waiting for a free place starts this round
                started = self.launch_due()
                if ended or started:
                    self.announce_next()
                deadline = time.monotonic() + max(self._wait_seconds(), 0.2)
                while time.monotonic() < deadline:
                    if self._stopping or any(r.process.poll() is not None for r in self.running.values()):
                        break
                    time.sleep(0.2)
            for running in self.running.values():
                running.process.send_signal(signal.SIGTERM)
            self.reap(block=True)
            events.info("schedule: stopped", extra={"event": "schedule_stopped"})
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        logger.warning("scheduler: %s received, letting %d running crawl(s) close their files",
                       signal.Signals(signum).name, len(self.running))
        self._stopping = True

