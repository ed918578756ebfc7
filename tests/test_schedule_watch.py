"""`newsarchive schedule` as a service a person can watch: its log lines, `--status` and `--metrics-port`.

One real service runs two jobs against the demo site at a fixed moment (`--now`): a front-page
crawl that writes articles and a feed job whose entries are all older than its `since`."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from archive.collection import Collection
from crawler.cli import main
from demosite import DemoSite
from tests.conftest import REPO, free_port, run_newsarchive

NOW = "2026-03-20T10:05:00+00:00"  # the service's clock: front (1h) due now, feed's cron slot 10:00 missed
NEXT_FRONT = "2026-03-20T11:05:00+00:00"
NEXT_FEED = "2026-03-20T10:15:00+00:00"


def write_jobs(path: Path, root: Path, site_url: str) -> Path:
    path.write_text(f'''root = "{root}"

[[job]]
name = "front"
collection = "news"
seeds = ["{site_url}"]
interval = "1h"
allow_private = true

[[job]]
name = "feed"
collection = "feeds"
seeds = ["{site_url}feed.xml"]
cron = "*/15 * * * *"
since = "1h"                # the demo's stories are from March 2026: every entry is older
allow_private = true
''')
    return path


@dataclass
class Watched:
    config: Path
    root: Path
    site: DemoSite
    before: tuple[str, str]  # --status (text, --json) before any run
    during: tuple[str, str]  # the same while the service runs, idle after both runs
    log: list[str]  # the service's stderr lines
    metrics: str  # /metrics, scraped while the service runs
    exit_code: int

    def job_run(self, collection: str, job: str) -> dict:
        with Collection.open(str(self.root), collection).store() as store:
            (run,) = store.job_runs(job)
        return run

    def report(self, collection: str, job: str) -> dict:
        run = self.job_run(collection, job)
        return json.loads((self.root / collection / "runs" / (str(run["run_id"]) + ".json")).read_text())


def status(config: Path) -> tuple[str, str]:
    text = run_newsarchive("schedule", str(config), "--status", "--now", NOW)
    as_json = run_newsarchive("schedule", str(config), "--status", "--json", "--now", NOW)
    assert text.returncode == as_json.returncode == 0, text.stderr + as_json.stderr
    return text.stdout, as_json.stdout


def _wait_for(predicate, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def watched(demo_site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    tmp = tmp_path_factory.mktemp("watch")
    config = write_jobs(tmp / "jobs.toml", tmp / "collections", demo_site.url)
    before = status(config)
    port = free_port()
    log_path = tmp / "service.log"
    with open(log_path, "w") as log_file:  # a file, not a pipe: the crawls write to it too
        service = subprocess.Popen(
            [sys.executable, "-m", "crawler", "schedule", str(config), "--now", NOW, "--metrics-port", str(port)],
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        # both runs ended, and the service said what is due next after the last
        _wait_for(lambda: len(re.findall(r"newsarchive\.schedule: job \w+: run \S+ ended", log_path.read_text())) == 2
                  and log_path.read_text().rstrip().endswith("schedule: next due: feed at %s" % NEXT_FEED))
        during = status(config)
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as response:
            metrics = response.read().decode("utf-8")
        service.send_signal(signal.SIGTERM)
        exit_code = service.wait(timeout=120)
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    yield Watched(config, tmp / "collections", demo_site, before, during,
                  log_path.read_text().splitlines(), metrics, exit_code)


def service_lines(watched: Watched) -> list[str]:
    """The service's own lines, without their time stamp (the crawls' warnings may come between)."""
    return [line.split(" newsarchive.schedule: ", 1)[1] for line in watched.log if " newsarchive.schedule: " in line]


# -- before any run ------------------------------------------------------------------------------
def test_status_before_any_run_shows_every_job_due_and_creates_nothing(watched: Watched) -> None:
    text, as_json = watched.before
    lines = text.splitlines()
    assert lines[0].split() == ["job", "collection", "schedule", "last", "run", "outcome", "articles", "next",
                                "due", "why", "0"]
    assert [line.split() for line in lines[1:]] == [
        ["front", "news", "every", "1h", "never", "-", "-", "now"],
        ["feed", "feeds", "cron", "*/15", "*", "*", "*", "*", "never", "-", "-", "now"],
    ]
    rows = [json.loads(line) for line in as_json.splitlines()]
    assert [(r["job"], r["last_outcome"], r["articles"], r["due_now"], r["runs"]) for r in rows] == [
        ("front", None, None, True, {}), ("feed", None, None, True, {})]
    assert [r["next_due"] for r in rows] == [NOW, "2026-03-20T10:00:00+00:00"]  # the feed's missed slot


def test_status_of_a_root_without_collections_creates_none(tmp_path: Path, capsys) -> None:
    config = write_jobs(tmp_path / "jobs.toml", tmp_path / "collections", "http://127.0.0.1:9/")
    assert main(["schedule", str(config), "--status", "--json", "--now", NOW]) == 0
    assert [json.loads(line)["last_run"] for line in capsys.readouterr().out.splitlines()] == [None, None]
    assert not (tmp_path / "collections").exists()


# -- the service's log ---------------------------------------------------------------------------
def test_the_service_logs_its_jobs_and_their_next_due_times_at_start(watched: Watched) -> None:
    lines = service_lines(watched)
    assert re.fullmatch(r"schedule: metrics on http://127\.0\.0\.1:\d+/metrics", lines[0])
    assert lines[1] == ("schedule: serving 2 job(s) from %s (root %s): front next due %s (due now); "
                        "feed next due 2026-03-20T10:00:00+00:00 (due now)" % (watched.config, watched.root, NOW))
    assert lines[-1] == "schedule: stopped"
    assert watched.exit_code == 0


def test_each_start_names_slot_run_and_pid_and_each_end_its_outcome_and_next_due(watched: Watched) -> None:
    lines = service_lines(watched)
    front, feed = watched.job_run("news", "front"), watched.job_run("feeds", "feed")
    articles = watched.report("news", "front")["articles"]
    assert articles > 0
    started = [line for line in lines if " started run " in line]
    assert started == [
        "job front: started run %s (slot %s, pid %d); next due %s" % (front["run_id"], NOW, front["pid"], NEXT_FRONT),
        "job feed: started run %s (slot 2026-03-20T10:00:00+00:00, pid %d); next due %s" % (
            feed["run_id"], feed["pid"], NEXT_FEED)]
    ended = [re.sub(r", in \d+\.\d s;", ", in S s;", line) for line in lines if " ended: " in line]
    reason = watched.report("feeds", "feed")["nothing_because"]
    assert ended == [
        "job front: run %s ended: finished, %d articles, in S s; next due %s" % (front["run_id"], articles, NEXT_FRONT),
        "job feed: run %s ended: finished, 0 articles: %s, in S s; next due %s" % (feed["run_id"], reason, NEXT_FEED)]
    # one after the other (one at a time), each event followed by what is due next
    assert lines[2:8] == [started[0], "schedule: next due: feed at 2026-03-20T10:00:00+00:00; running: front",
                          lines[4], started[1], "schedule: next due: front at %s; running: feed" % NEXT_FRONT,
                          lines[7]]
    assert lines[8] == "schedule: next due: feed at %s" % NEXT_FEED


def test_a_feed_job_that_wrote_nothing_says_why(watched: Watched) -> None:
    report = watched.report("feeds", "feed")
    assert report["articles"] == 0 and report["outcome"] == "finished"
    assert "older than" in report["nothing_because"]
    assert re.search(r"\b71\b", report["nothing_because"])  # every entry of the demo's feed
    assert watched.job_run("feeds", "feed")["counts"]["nothing_because"] == report["nothing_because"]


def test_a_report_older_than_its_reason_field_still_gives_the_reason(watched: Watched) -> None:
    from crawler.schedule_status import nothing_because

    report = watched.report("feeds", "feed")
    reason = report.pop("nothing_because")
    assert nothing_because(report) == reason  # from its counters, as the crawl found it
    assert nothing_because(watched.report("news", "front")) is None


# -- --status while the service runs -------------------------------------------------------------
def test_status_after_the_runs_shows_outcome_articles_reason_and_next_due(watched: Watched) -> None:
    text, as_json = watched.during
    front, feed = watched.job_run("news", "front"), watched.job_run("feeds", "feed")
    articles = watched.report("news", "front")["articles"]
    reason = watched.report("feeds", "feed")["nothing_because"]
    lines = text.splitlines()
    assert lines[1].split() == ["front", "news", "every", "1h", NOW, "finished", str(articles), NEXT_FRONT]
    assert lines[2].split()[:11] == ["feed", "feeds", "cron", "*/15", "*", "*", "*", "*", NOW, "finished", "0"]
    assert lines[2].endswith("  %s  %s" % (NEXT_FEED, reason))
    rows = {r["job"]: r for r in map(json.loads, as_json.splitlines())}
    assert rows["front"]["last_run"] == front["run_id"] and rows["feed"]["last_run"] == feed["run_id"]
    assert (rows["front"]["last_outcome"], rows["front"]["articles"], rows["front"]["nothing_because"]) == (
        "finished", articles, None)
    assert (rows["feed"]["last_outcome"], rows["feed"]["articles"], rows["feed"]["nothing_because"]) == (
        "finished", 0, reason)
    assert rows["feed"]["last_outcome_text"] == "finished, 0 articles: %s" % reason
    assert (rows["front"]["next_due"], rows["feed"]["next_due"]) == (NEXT_FRONT, NEXT_FEED)
    assert rows["front"]["runs"] == rows["feed"]["runs"] == {"finished": 1}
    assert not rows["front"]["due_now"] and not rows["front"]["running"]


def test_status_after_the_service_stopped_is_the_same(watched: Watched) -> None:
    assert status(watched.config) == watched.during


# -- the metrics endpoint ------------------------------------------------------------------------
def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_endpoint_exports_per_job_and_per_site_series(watched: Watched) -> None:
    found = samples(watched.metrics)
    front = watched.report("news", "front")

    def job(name: str, metric: str, **labels: str) -> float:
        return found[(metric, tuple(sorted({"job": name, **labels}.items())))]

    assert job("front", "newsarchive_job_runs_total", outcome="finished") == 1
    assert job("feed", "newsarchive_job_runs_total", outcome="finished") == 1
    assert job("front", "newsarchive_job_runs_total", outcome="failed") == 0
    assert job("front", "newsarchive_job_last_articles") == front["articles"] > 0
    assert job("feed", "newsarchive_job_last_articles") == 0
    assert job("front", "newsarchive_job_running") == job("feed", "newsarchive_job_running") == 0
    assert job("front", "newsarchive_job_next_due_timestamp_seconds") == datetime.fromisoformat(NEXT_FRONT).timestamp()
    assert job("feed", "newsarchive_job_next_due_timestamp_seconds") == datetime.fromisoformat(NEXT_FEED).timestamp()
    assert job("front", "newsarchive_job_last_run_timestamp_seconds") == datetime.fromisoformat(NOW).timestamp()
    site = "127.0.0.1:%d" % watched.site.port
    assert front["sites"][site]["articles"] == front["articles"]
    assert job("front", "newsarchive_site_articles_total", site=site) == front["articles"]
    assert job("front", "newsarchive_site_pages_total", site=site) == front["sites"][site]["pages"] > 0
    assert job("feed", "newsarchive_site_articles_total", site=site) == 0


def test_wrong_option_combinations_are_usage_errors(tmp_path: Path, capsys) -> None:
    config = write_jobs(tmp_path / "jobs.toml", tmp_path / "c", "http://127.0.0.1:9/")
    assert main(["schedule", str(config), "--json"]) == 2
    assert "--json goes with --status" in capsys.readouterr().err
    assert main(["schedule", str(config), "--once", "--metrics-port", "9100"]) == 2
    assert "--metrics-port is for the service" in capsys.readouterr().err
    assert main(["schedule", str(config), "--metrics-port", "70000"]) == 2
    assert "is not a port" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_a_json_log_file_holds_the_service_and_its_crawls_one_object_a_line(
        demo_site: DemoSite, tmp_path: Path) -> None:
    config = write_jobs(tmp_path / "jobs.toml", tmp_path / "collections", demo_site.url)
    config.write_text(config.read_text().split("[[job]]\nname = \"front\"")[0] + "[[job]]" +
                      config.read_text().split("[[job]]")[2])  # the feed job alone
    log = tmp_path / "service.jsonl"
    service = subprocess.Popen(
        [sys.executable, "-m", "crawler", "schedule", str(config), "--now", NOW, "--log-format", "json",
         "--log-file", str(log)],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: log.exists() and '"event": "job_ended"' in log.read_text())
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=120) == 0
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
        stderr = service.stderr.read().decode() if service.stderr else ""
        if service.stderr:
            service.stderr.close()
    assert stderr == ""  # everything went to the file, the crawl's lines too
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    ours = [line for line in lines if line["logger"] == "newsarchive.schedule"]
    assert [line["event"] for line in ours] == ["schedule_started", "job_started", "running", "job_ended",
                                               "next_due", "schedule_stopped"]
    by_event = {line["event"]: line for line in ours}
    ended = by_event["job_ended"]
    report = json.loads((tmp_path / "collections" / "feeds" / "runs" / (ended["run"] + ".json")).read_text())
    assert (ended["level"], ended["job"], ended["outcome"], ended["articles"], ended["next_due"]) == (
        "info", "feed", "finished", 0, NEXT_FEED)
    assert ended["nothing_because"] == report["nothing_because"]
    assert by_event["job_started"]["run"] == ended["run"] and by_event["job_started"]["pid"] > 0
