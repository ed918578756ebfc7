"""`newsarchive schedule`: runs each due job as its own crawl process, and remembers.

The history of job runs lives in each collection's store; it is also the scheduler's memory,
so a restarted scheduler knows what already ran: a missed slot runs once, never twice. A job
never runs twice at once: the collection's writer lock (held by the crawl process, released by
the kernel if it dies) says whether a run is still going.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from types import FrameType

from croniter import croniter

from archive.collection import Collection, new_run_id
from archive.exceptions import CollectionError
from archive.outcome import Outcome
from crawler.schedule_config import Job

logger = logging.getLogger(__name__)

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


def latest_slot(job: Job, now: datetime) -> datetime | None:
    """The most recent moment at or before `now` at which a cron job was meant to run."""
    if job.cron is None:
        return None
    return croniter(job.cron, now).get_prev(datetime).astimezone(timezone.utc)  # type: ignore[no-any-return]


class Scheduler:
    def __init__(self, jobs: list[Job], root: str, *, clock: Callable[[], datetime] = utc_now,
                 max_parallel: int = 1, python: str = sys.executable) -> None:
        self.jobs = jobs
        self.root = root
        self.clock = clock
        self.max_parallel = max(1, max_parallel)
        self.python = python
        self.running: dict[str, Running] = {}
        self.busy: set[str] = set()  # due jobs skipped because their collection was being written
        self._stopping = False

    # -- deciding ---------------------------------------------------------------------------
    def due_slot(self, job: Job, now: datetime) -> datetime | None:
        """The slot a run of `job` would fill now, or None if the job is not due."""
        runs = Collection.create(self.root, job.collection).store()
        try:
            history = runs.job_runs(job.name)
        finally:
            runs.close()
        last = datetime.fromisoformat(str(history[-1]["slot"])) if history else None
        if job.interval is not None:
            return now if last is None or now >= last + job.interval else None
        slot = latest_slot(job, now)
        if slot is None or (last is not None and slot <= last):
            return None
        return slot

    def _busy(self, job: Job) -> bool:
        """Is the job's collection being written (by a run this scheduler did not start, say)?"""
        try:
            Collection.create(self.root, job.collection).lock().acquire().release()
        except CollectionError:
            return True
        return False

    # -- running ----------------------------------------------------------------------------
    def start(self, job: Job, slot: datetime) -> Running:
        run_id = new_run_id(self.clock())
        args = [self.python, "-m", "crawler", *job.crawl_args(self.root), "-s", "ARCHIVE_RUN_ID=" + run_id]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=None)
        store = Collection.create(self.root, job.collection).store()
        try:
            store.start_job_run(run_id, job.name, slot.isoformat(), self.clock().isoformat(), process.pid)
        finally:
            store.close()
        logger.info("job %s: started run %s (pid %d)", job.name, run_id, process.pid)
        running = Running(job, run_id, process)
        self.running[job.name] = running
        return running

    def finish(self, running: Running, returncode: int) -> str:
        job = running.job
        collection = Collection.create(self.root, job.collection)
        outcome = CRAWL_EXITS.get(returncode, Outcome.INTERRUPTED if returncode < 0 else Outcome.FAILED)
        counts: dict[str, object] = {"exit_code": returncode}
        report_path = collection.run_report_path(running.run_id)
        if os.path.exists(report_path):
            with open(report_path, encoding="utf-8") as fh:
                report = json.load(fh)
            counts.update(requests=report.get("requests"), articles=report.get("articles"),
                          bytes=report.get("archive", {}).get("bytes"),
                          finish_reason=report.get("finish_reason"))
            if report.get("finish_reason") == "shutdown":
                outcome = Outcome.INTERRUPTED
        store = collection.store()
        try:
            store.end_job_run(running.run_id, self.clock().isoformat(), outcome, counts)
        finally:
            store.close()
        self.running.pop(job.name, None)
        logger.info("job %s: run %s ended: %s", job.name, running.run_id, outcome)
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

    def serve(self) -> None:
        """Run due jobs until SIGTERM or SIGINT; a stop lets running crawls close cleanly."""
        self.mark_orphans()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self._stopping:
                self.launch_due()
                self.reap(block=False)
                for _ in range(int(POLL_SECONDS * 5)):
                    if self._stopping or any(r.process.poll() is not None for r in self.running.values()):
                        break
                    time.sleep(0.2)
            for running in self.running.values():
                running.process.send_signal(signal.SIGTERM)
            self.reap(block=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        logger.warning("scheduler: %s received, letting %d running crawl(s) close their files",
                       signal.Signals(signum).name, len(self.running))
        self._stopping = True
