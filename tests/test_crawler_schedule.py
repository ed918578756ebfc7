"""`newsarchive schedule`: recurring, incremental crawls across simulated time, and `runs`."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.collection import Collection
from crawler.cli import main
from demosite import DemoSite
from tests.conftest import REPO, run_newsarchive
from tests.held_site import HeldSite

MOMENTS = ["2026-03-07T00:00:00+00:00", "2026-03-07T03:00:00+00:00", "2026-03-10T00:00:00+00:00",
           "2026-03-16T00:00:00+00:00", "2026-03-16T07:00:00+00:00"]


def write_config(path: Path, root: Path, site_url: str, timing: str = 'interval = "6h"') -> Path:
    path.write_text(f'''root = "{root}"

[[job]]
name = "demo"
collection = "news"
seeds = ["{site_url}"]
{timing}
allow_private = true
''')
    return path


def responses_by_url(collection: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    counts[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return counts


def run_report(collection: Path, run_id: str) -> dict:
    return json.loads((collection / "runs" / (run_id + ".json")).read_text())


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory):
    """The scheduler run with --once at five moments while the site publishes new stories."""
    tmp = tmp_path_factory.mktemp("schedule")
    site = DemoSite(published_until=datetime.fromisoformat(MOMENTS[0])).start()
    config = write_config(tmp / "jobs.toml", tmp / "collections", site.url)
    steps = []
    try:
        for moment in MOMENTS:
            site.publish_until(datetime.fromisoformat(moment))
            visible = {a.url for a in site.articles()}
            proc = run_newsarchive("schedule", str(config), "--once", "--now", moment)
            assert proc.returncode == 0, proc.stderr
            steps.append((moment, visible, proc.stdout))
        yield site, tmp / "collections" / "news", steps
    finally:
        site.stop()


def test_each_due_run_archives_exactly_the_new_articles(scheduled) -> None:
    site, collection, steps = scheduled
    with Collection.open(str(collection.parent), "news").store() as store:
        history = store.job_runs("demo")
    assert [r["outcome"] for r in history] == ["finished"] * 4  # 03:00 and 07:00 were not due (6h)
    assert [s[2].strip() for s in steps].count("demo: not due") == 1
    seen: set[str] = set()
    visible_by_slot = {datetime.fromisoformat(m).isoformat(): v for m, v, _ in steps}
    for run in history:
        visible = visible_by_slot[str(run["slot"])]
        items = [json.loads(line) for line in
                 (collection / "items" / (str(run["run_id"]) + ".jsonl")).read_text().splitlines()] \
            if (collection / "items" / (str(run["run_id"]) + ".jsonl")).exists() else []
        new_articles = {u for u in visible if u not in seen}
        assert {i["url"] for i in items} == new_articles - {site.url + "about/"}
        seen |= visible


def test_no_article_is_fetched_twice_across_runs(scheduled) -> None:
    site, collection, _ = scheduled
    fetched = responses_by_url(collection)
    for article in site.articles():
        assert fetched[article.url] == 1, article.url


def test_unchanged_listings_and_feeds_come_back_as_revisits(scheduled) -> None:
    _, collection, _ = scheduled
    with Collection.open(str(collection.parent), "news").store() as store:
        last = store.job_runs("demo")[-1]
    report = run_report(collection, str(last["run_id"]))
    stats = report["stats"]
    assert report["articles"] == 0  # nothing new was published between the last two runs
    assert stats.get("archive/not_modified", 0) >= 5
    assert stats.get("archive/responses", 0) <= 3  # robots.txt and the 404 at most
    first = run_report(collection, str(store_runs(collection)[0]["run_id"]))
    # the pages: the requisites of unchanged listings are asked for again, each answered 304
    assert report["requisites"]["not_modified"] == report["requisites"]["archived"] >= 1
    # the pages asked for again are listings, feeds, sitemaps and the site's own pages (about,
    # contact, profiles): each answered 304 (archive/responses above), never an article again
    pages, first_pages = (r["requests"] - r["requisites"]["requested"] for r in (report, first))
    assert pages <= stats.get("archive/not_modified", 0) - report["requisites"]["not_modified"] + 3
    assert pages < first_pages - first["articles"]
    # revisit and request records only (~1 KB an exchange, the requisites' 304s among them)
    assert report["archive"]["bytes"] < first["archive"]["bytes"] / 5
    assert report["archive"]["bytes"] < 1500 * report["responses"]


def store_runs(collection: Path) -> list[dict]:
    with Collection.open(str(collection.parent), "news").store() as store:
        return store.job_runs("demo")


def test_runs_lists_the_history(scheduled, capsys) -> None:
    _, collection, _ = scheduled
    assert main(["runs", "news", "--root", str(collection.parent)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:3] == ["run", "kind", "job"]
    assert len(lines) == 1 + 4
    assert all(" demo " in line and " finished " in line for line in lines[1:])
    assert main(["runs", "news", "--root", str(collection.parent), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["job"] for r in rows] == ["demo"] * 4


def test_a_missed_cron_slot_runs_once_not_once_per_slot(demo_site, tmp_path: Path) -> None:
    config = write_config(tmp_path / "cron.toml", tmp_path / "c", demo_site.url, 'cron = "0 * * * *"')
    outputs = []
    for now in ("2026-03-20T00:10:00Z", "2026-03-20T05:30:00Z", "2026-03-20T05:50:00Z", "2026-03-20T06:01:00Z"):
        proc = run_newsarchive("schedule", str(config), "--once", "--now", now)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout.strip())
    assert [line.split(",")[0] for line in outputs] == ["demo: finished", "demo: finished", "demo: not due",
                                                        "demo: finished"]
    assert outputs[0].endswith(" articles") and not outputs[0].startswith("demo: finished, 0 ")
    # nothing new since the first run: not a plain "finished", the run says why it wrote nothing
    assert re.fullmatch(r"demo: finished, 0 articles: \S.*", outputs[1]), outputs[1]
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        slots = [r["slot"] for r in store.job_runs("demo")]
    assert slots == ["2026-03-20T00:00:00+00:00", "2026-03-20T05:00:00+00:00", "2026-03-20T06:00:00+00:00"]


def test_a_job_never_runs_twice_at_once(demo_site, tmp_path: Path) -> None:
    config = write_config(tmp_path / "j.toml", tmp_path / "c", demo_site.url)
    lock = Collection.create(str(tmp_path / "c"), "news").lock().acquire()  # a run in progress
    try:
        proc = run_newsarchive("schedule", str(config), "--once", "--now", "2026-03-20T00:00:00Z")
    finally:
        lock.release()
    assert proc.stdout.strip() == "demo: busy"
    assert "being written" in proc.stderr
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        assert store.job_runs("demo") == []


def test_invalid_config_reports_every_problem_and_runs_nothing(tmp_path: Path, capsys) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('''root = "%s"
colour = "blue"

[[job]]
name = "ok-job"
seeds = ["https://news.example.org/"]
interval = "15m"

[[job]]
name = "broken"
seeds = ["not a url"]
interval = "soon"
cron = "* * *"
max_pages = -1
mystery = 1

[[job]]
name = "ok-job"
seeds = []
''' % (tmp_path / "c"))
    assert main(["schedule", str(config), "--once"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    text = "\n".join(err)
    assert "unknown top-level key 'colour'" in text
    assert "%s:9: job 'broken': bad seed URL" % config in text
    assert "job 'broken': give exactly one of interval" in text
    assert "'soon' is not a duration" in text
    assert "cron '* * *' is not a valid cron expression" in text
    assert "max_pages must be a whole number" in text
    assert "unknown key 'mystery'" in text
    assert "%s:17: job 'ok-job': seeds must be a non-empty list" % config in text
    assert err[-1].endswith("nothing was run")
    assert not (tmp_path / "c").exists()


def test_a_toml_syntax_error_names_the_line(tmp_path: Path, capsys) -> None:
    config = tmp_path / "syntax.toml"
    config.write_text('[[job]]\nname = "x\n')
    assert main(["schedule", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "line 2" in err


def _wait_for(predicate, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_scheduler_survives_restart_and_sigterm_lets_the_crawl_close(tmp_path: Path) -> None:
    with HeldSite() as site:
        config = write_config(tmp_path / "serve.toml", tmp_path / "c", site.url, 'interval = "1h"')
        # the job's crawl shows Scrapy's "shutting down gracefully" line though it logs only warnings
        config.write_text(config.read_text() + 'settings = { EXTENSIONS = { "tests.held_site.SignalBeacon" = 0 } }\n')
        site.hold(after=3, articles=True)
        scheduler = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", str(config)], cwd=REPO,
                                     env=dict(os.environ, PYTHONPATH=str(REPO)),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        err: list[str] = []
        reader = threading.Thread(target=err.extend, args=(scheduler.stderr,))  # the crawl's stderr too
        reader.start()
        archive = tmp_path / "c" / "news" / "archive"
        try:
            site.wait_until_held(scheduler)  # its crawl waits for a page: mid-run until released
            _wait_for(lambda: archive.exists() and list(archive.glob("*.open")))  # and writing
            scheduler.send_signal(signal.SIGTERM)
            # the crawl's graceful stop waits for the held page, and starts no other once begun
            _wait_for(lambda: "shutting down gracefully" in "".join(err))
            site.release()
            assert scheduler.wait(timeout=300) == 0, "".join(err)[-3000:]
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
            scheduler.wait()
            reader.join()
            scheduler.stderr.close()
    assert not list(archive.glob("*.open"))
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        (run,) = store.job_runs("demo")
    assert run["outcome"] == "interrupted"
    # restarted within the hour: the slot was taken, nothing runs twice
    proc = run_newsarchive("schedule", str(config), "--once")
    assert proc.stdout.strip() == "demo: not due", proc.stderr


# -- --check is a run's validation; --run ---------------------------------------------------------
def test_check_runs_the_validation_a_run_would(tmp_path: Path, capsys) -> None:
    config = tmp_path / "jobs.toml"
    config.write_text('''[[job]]
name = "a"
seeds = ["https://news.example.org/"]
interval = "1h"
settings = { ARCHIVE_COMPRESS_LEVEL = 42, DOWNLOAD_DELAY = "fast" }

[[job]]
name = "b"
seeds = ["http://exa mple.com/"]
cron = "0 * * * *"
''')
    assert main(["schedule", str(config), "--check"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [
        "%s:1: job 'a': DOWNLOAD_DELAY must be a number of seconds >= 0, not 'fast'" % config,
        "%s:1: job 'a': ARCHIVE_COMPRESS_LEVEL must be between 0 and 9" % config,
        "%s:7: job 'b': bad seed URL 'http://exa mple.com/': 'exa mple.com' is no valid host name" % config,
    ]
    assert err[-1].endswith("3 problem(s) in %s; nothing was run" % config)


def test_duplicate_names_and_defaults_are_reported_once_whatever_else_is_wrong(tmp_path: Path, capsys) -> None:
    config = tmp_path / "jobs.toml"
    config.write_text('''[defaults]
max_pages = "many"
settings = { ROBOTSTXT_OBEY = "perhaps" }

[[job]]
name = "same"
seeds = ["not a url"]
interval = "1h"

[[job]]
name = "same"
seeds = ["https://news.example.org/"]
interval = "soon"

[[job]]
name = "other"
seeds = ["https://news.example.org/"]
interval = "1h"
''')
    assert main(["schedule", str(config), "--check"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["%s:1: [defaults]: max_pages must be a whole number >= 0 (got 'many')" % config,
                       "%s:1: [defaults]: ROBOTSTXT_OBEY must be true or false (or 1 or 0), not 'perhaps'" % config]
    assert sum("[defaults]" in line for line in err) == 2  # not once per job
    assert "%s:10: job 'same': the name is used by another job (%s:5)" % (config, config) in err
    assert "%s:10: job 'same': interval: 'soon' is not a duration (90s, 15m, 2h, 1d, 1w)" % config in err
    assert not any("job 'other'" in line for line in err)


def test_a_valid_file_checks_and_its_jobs_carry_their_options(tmp_path: Path, capsys) -> None:
    from crawler.schedule_config import load_config

    config = tmp_path / "jobs.toml"
    config.write_text('''[defaults]
settings = { DOWNLOAD_DELAY = 2, ROBOTSTXT_OBEY = true }

[[job]]
name = "a"
collection = "news"
seeds = "https://news.example.org/"
interval = "15m"
since = "36h"
allow = "/2026/"
settings = { DOWNLOAD_DELAY = 1, DEFAULT_REQUEST_HEADERS = { Accept-Language = "de" } }
''')
    assert main(["schedule", str(config), "--check"]) == 0
    assert capsys.readouterr().out.strip() == "%s: 1 job(s), all valid" % config
    (job,), _ = load_config(str(config))
    args = job.crawl_args("/srv/c")
    assert args[:3] == ["crawl", "-s", "FETCH_PRIVATE_HINT=set allow_private = true for job 'a' in the schedule file"]
    assert args[3:] == ["https://news.example.org/", "--allow", "/2026/", "--since", "36h", "--conditional",
                        "-s", 'DEFAULT_REQUEST_HEADERS={"Accept-Language": "de"}', "-s", "DOWNLOAD_DELAY=1",
                        "-s", "ROBOTSTXT_OBEY=true", "--root", "/srv/c", "--collection", "news"]


def test_run_of_an_unknown_job_names_the_known_ones(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path / "jobs.toml", tmp_path / "c", "http://127.0.0.1:9/")
    assert main(["schedule", str(config), "--run", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "newsarchive schedule: no job 'nope' in %s (its jobs: demo)" % config
    assert not (tmp_path / "c").exists()


def test_run_runs_a_job_now_and_records_it_like_a_scheduled_run(demo_site, tmp_path: Path) -> None:
    config = write_config(tmp_path / "jobs.toml", tmp_path / "c", demo_site.url, 'interval = "6h"')
    proc = run_newsarchive("schedule", str(config), "--run", "demo", "--now", "2026-03-20T10:00:00Z")
    assert proc.returncode == 0, proc.stderr
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        (run,) = store.job_runs("demo")
    assert (run["slot"], run["outcome"]) == ("2026-03-20T10:00:00+00:00", "finished")
    articles = run_report(tmp_path / "c" / "news", str(run["run_id"]))["articles"]
    assert articles > 0
    assert proc.stdout.strip() == "demo: finished, %d articles" % articles
    # the scheduler knows it ran: the next slot is 6 hours on
    proc = run_newsarchive("schedule", str(config), "--once", "--now", "2026-03-20T12:00:00Z")
    assert proc.stdout.strip() == "demo: not due", proc.stderr


def test_run_of_a_failing_job_exits_1_and_the_hint_names_the_jobs_file_key(demo_site, tmp_path: Path) -> None:
    config = write_config(tmp_path / "jobs.toml", tmp_path / "c", demo_site.url)
    config.write_text(config.read_text().replace("allow_private = true\n", ""))
    proc = run_newsarchive("schedule", str(config), "--run", "demo")
    assert proc.returncode == 1
    assert proc.stdout.strip() == "demo: failed"
    assert "(to crawl it, set allow_private = true for job 'demo' in the schedule file)" in proc.stderr
    assert "--allow-private" not in proc.stderr
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        assert [r["outcome"] for r in store.job_runs("demo")] == ["failed"]


def test_two_jobs_sharing_a_collection_take_turns_and_the_second_says_why_it_wrote_nothing(
        demo_site, tmp_path: Path) -> None:
    config = write_config(tmp_path / "jobs.toml", tmp_path / "c", demo_site.url)
    config.write_text(config.read_text() + '''
[[job]]
name = "again"
collection = "news"
seeds = ["%s"]
interval = "6h"
allow_private = true
''' % demo_site.url)
    proc = run_newsarchive("schedule", str(config), "--once", "--now", "2026-03-20T10:00:00Z")
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.strip().splitlines()
    assert re.fullmatch(r"demo: finished, [1-9]\d* articles", first), first
    with Collection.open(str(tmp_path / "c"), "news").store() as store:
        runs = {r["job"]: r for r in store.job_runs()}
    assert runs["demo"]["run_id"] != runs["again"]["run_id"]  # the same fixed clock, two runs
    # everything the first run wrote is known: no plain "finished", the run report's reason
    reason = run_report(tmp_path / "c" / "news", str(runs["again"]["run_id"])).get("nothing_because")
    assert reason and second == "again: finished, 0 articles: %s" % reason
