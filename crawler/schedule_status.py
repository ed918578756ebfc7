"""What each scheduled job did last and when it is next due: for the service's log lines,
`schedule --status` and the metrics. Reads the job history read-only, so it works while a
scheduler or a crawl is writing the store, and creates nothing when a job never ran."""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from croniter import croniter

from archive.collection import Collection
from archive.outcome import Outcome
from crawler.schedule_config import Job
from pipelines.site_figures import nothing_because as reason_from_stats

logger = logging.getLogger(__name__)

STATUS_COLUMNS = ("job", "collection", "schedule", "last run", "outcome", "articles", "next due", "why 0")


def latest_slot(job: Job, now: datetime) -> datetime | None:
    """The most recent moment at or before `now` at which a cron job was meant to run."""
    if job.cron is None:
        return None
    return croniter(job.cron, now).get_prev(datetime).astimezone(timezone.utc)  # type: ignore[no-any-return]


def next_due(job: Job, last_slot: datetime | None, now: datetime) -> datetime:
    """When the job is due next, given the slot of its last run: at or before `now` if it is due
    (a cron job's missed slot, an interval job never run or whose interval has passed)."""
    if job.interval is not None:
        return now if last_slot is None else last_slot + job.interval
    slot = latest_slot(job, now)
    if slot is not None and (last_slot is None or slot > last_slot):
        return slot
    return croniter(job.cron, now).get_next(datetime).astimezone(timezone.utc)  # type: ignore[no-any-return]


def moment_text(moment: datetime | str) -> str:
    """A time as the log lines and the status table show it: ISO 8601 to the second, its zone."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.isoformat(timespec="seconds")


def schedule_of(job: Job) -> str:
    if job.cron is not None:
        return "cron %s" % job.cron
    seconds = int(job.interval.total_seconds()) if job.interval else 0
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return "every %d%s" % (seconds // size, unit)
    return "every %ds" % seconds


def nothing_because(report: Mapping[str, Any]) -> str | None:
    """Why a run wrote no article: its report's reason, or for a report older than that field,
    the reason its counters give."""
    if report.get("articles"):
        return None
    if report.get("nothing_because"):
        return str(report["nothing_because"])
    stats = report.get("stats")
    return reason_from_stats(stats) if isinstance(stats, dict) else None


def read_report(path: str) -> dict[str, Any]:
    """A run's report, or {} if the run wrote none (refused, killed) or it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        logger.warning("cannot read the run report %s: %s", path, err)
        return {}
    return report if isinstance(report, dict) else {}


def outcome_text(outcome: str, counts: Mapping[str, Any]) -> str:
    """A job run's outcome as a person reads it: a finished run that wrote nothing says why
    ("finished, 0 articles: 71 entries older than since"), not a plain "finished"."""
    if outcome != Outcome.FINISHED or counts.get("articles") is None:
        return str(outcome)
    articles = int(counts["articles"])
    if articles:
        return "%s, %d article%s" % (outcome, articles, "" if articles == 1 else "s")
    reason = counts.get("nothing_because")
    return "%s, 0 articles%s" % (outcome, ": %s" % reason if reason else "")


def _history(collection: Collection, job: str) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """(the job's latest run, its runs counted by outcome), read-only; (None, {}) if none."""
    if not os.path.exists(collection.store_path):
        return None, {}
    db = sqlite3.connect("file:%s?mode=ro" % collection.store_path, uri=True, timeout=30)
    try:
        has_table = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job_runs'").fetchone()
        if not has_table:
            return None, {}
        row = db.execute("SELECT run_id, slot, started, ended, outcome, pid, counts FROM job_runs WHERE job = ? "
                         "ORDER BY slot DESC, started DESC LIMIT 1", (job,)).fetchone()
        by_outcome: dict[str, int] = {}
        for outcome, count in db.execute("SELECT outcome, count(*) FROM job_runs WHERE job = ? GROUP BY outcome",
                                         (job,)):
            key = str(Outcome.of(outcome))
            by_outcome[key] = by_outcome.get(key, 0) + int(count)
    finally:
        db.close()
    if row is None:
        return None, by_outcome
    last = {"run_id": row[0], "slot": row[1], "started": row[2], "ended": row[3],
            "outcome": str(Outcome.of(row[4])), "pid": row[5], "counts": json.loads(row[6]) if row[6] else {}}
    return last, by_outcome


def job_status(job: Job, root: str, now: datetime) -> dict[str, Any]:
    """One job's status: its last run (outcome, times, articles, why none) and its next due time."""
    last, by_outcome = _history(Collection(root, job.collection), job.name)
    counts = last["counts"] if last else {}
    slot = datetime.fromisoformat(str(last["slot"])) if last else None
    due = next_due(job, slot, now)
    return {
        "job": job.name, "collection": job.collection, "schedule": schedule_of(job),
        "last_run": last and last["run_id"], "last_slot": last and last["slot"],
        "last_started": last and last["started"], "last_ended": last and last["ended"],
        "last_outcome": last and last["outcome"],
        "last_outcome_text": last and outcome_text(last["outcome"], counts),
        "articles": counts.get("articles"), "nothing_because": counts.get("nothing_because"),
        "running": bool(last and last["outcome"] == Outcome.RUNNING),
        "runs": by_outcome,
        "next_due": due.isoformat(), "due_now": due <= now,
    }


def status_table(rows: list[dict[str, Any]]) -> list[str]:
    """`schedule --status` as aligned text lines, one per job (times as stored: ISO 8601, UTC)."""
    table = [STATUS_COLUMNS] + [
        (r["job"], r["collection"], r["schedule"], moment_text(r["last_started"]) if r["last_started"] else "never",
         r["last_outcome"] or "-", "-" if r["articles"] is None else str(r["articles"]),
         "now" if r["due_now"] and not r["running"] else moment_text(r["next_due"]), r["nothing_because"] or "")
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(STATUS_COLUMNS))]
    return ["  ".join(str(cell).rjust(w) if i == 5 else str(cell).ljust(w)
                      for i, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
            for cells in table]
