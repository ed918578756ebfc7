"""`schedule --metrics-port`: the service's jobs and their sites as Prometheus metrics on 127.0.0.1.

Counters count what ended since the service started (Prometheus's rate() copes with a restart);
gauges start from the job history, so a freshly started service already says when each job ran."""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from archive.outcome import Outcome
from crawler.scheduler import Running

logger = logging.getLogger(__name__)

ENDED_OUTCOMES = (Outcome.FINISHED, Outcome.INTERRUPTED, Outcome.FAILED, Outcome.REFUSED)
SITE_COUNTS = ("pages", "articles")  # per-site numbers of a run report's "sites" entry


class ScheduleMetrics:
    """The metrics of one scheduler (a Watcher of its runs), in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        job, site = ["job"], ["job", "site"]
        reg = self.registry
        self.runs = Counter("newsarchive_job_runs", "Job runs ended since the service started, by outcome",
                            ["job", "outcome"], registry=reg)
        self.running = Gauge("newsarchive_job_running", "1 while a run of the job is going", job, registry=reg)
        self.last_run = Gauge("newsarchive_job_last_run_timestamp_seconds", "When the job's latest run started",
                              job, registry=reg)
        self.last_articles = Gauge("newsarchive_job_last_articles", "Articles the job's latest ended run wrote",
                                   job, registry=reg)
        self.last_duration = Gauge("newsarchive_job_last_duration_seconds", "How long the latest ended run took",
                                   job, registry=reg)
        self.next_due = Gauge("newsarchive_job_next_due_timestamp_seconds", "When the job is due next",
                              job, registry=reg)
        self.site_counts = {name: Counter("newsarchive_site_" + name, "Per-site %s of the jobs' runs" % name,
                                          site, registry=reg) for name in SITE_COUNTS}
        self.site_errors = Counter("newsarchive_site_errors", "Per-site errors of the jobs' runs, by kind",
                                   ["job", "site", "kind"], registry=reg)

    def add_job(self, status: dict[str, Any]) -> None:
        """A job's series, from its status (crawler/schedule_status.py): every one exists from the start."""
        name = status["job"]
        for outcome in ENDED_OUTCOMES:
            self.runs.labels(name, str(outcome))
        self.running.labels(name).set(1 if status["running"] else 0)
        if status["last_started"]:
            self.last_run.labels(name).set(datetime.fromisoformat(status["last_started"]).timestamp())
        if status["articles"] is not None:
            self.last_articles.labels(name).set(status["articles"])
        self.next_due.labels(name).set(datetime.fromisoformat(status["next_due"]).timestamp())

    def serve(self, port: int) -> WSGIServer:
        """Serve /metrics on 127.0.0.1:port (0: any free port) from a thread; the server, to shut down."""
        server, _ = start_http_server(port, addr="127.0.0.1", registry=self.registry)
        return server

    # -- Watcher ------------------------------------------------------------------------------
    def started(self, running: Running, due: datetime) -> None:
        name = running.job.name
        self.running.labels(name).set(1)
        self.last_run.labels(name).set(running.started.timestamp())
        self.next_due.labels(name).set(due.timestamp())

    def ended(self, running: Running, outcome: str, counts: dict[str, Any], report: dict[str, Any],
              due: datetime) -> None:
        name = running.job.name
        self.runs.labels(name, str(outcome)).inc()
        self.running.labels(name).set(0)
        self.last_articles.labels(name).set(int(counts.get("articles") or 0))
        self.last_duration.labels(name).set(float(report.get("duration_s") or time.monotonic() - running.began))
        self.next_due.labels(name).set(due.timestamp())
        sites = report.get("sites")
        for site, figures in (sites.items() if isinstance(sites, dict) else ()):
            if not isinstance(figures, dict):
                continue
            for count, counter in self.site_counts.items():
                counter.labels(name, site).inc(max(int(figures.get(count) or 0), 0))
            errors = figures.get("errors")
            for kind, n in (errors.items() if isinstance(errors, dict) else ()):
                self.site_errors.labels(name, site, str(kind)).inc(max(int(n or 0), 0))
