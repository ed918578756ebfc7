"""A run's life: runs that did not end are marked interrupted, their records indexed, an
interrupted crawl says so (exit 130) and how to continue, `runs` gives one outcome per run."""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.collection import Collection
from archive.outcome import Outcome
from crawler.cli import main
from tests.conftest import REPO, run_newsarchive
from tests.held_site import HeldSite


@pytest.fixture
def held_site() -> Iterator[HeldSite]:
    """The demo site's pages behind a gate: a crawl sent a signal while held is surely mid-run."""
    with HeldSite() as site:
        yield site


class Crawl:
    """`newsarchive crawl` of a site in a child process, its output collected as it comes."""

    def __init__(self, site_url: str, root: Path, collection: str, *extra: str) -> None:
        self.path = root / collection
        self.args = ["crawl", site_url, "--root", str(root), "--collection", collection, "--allow-private", *extra]
        self.proc = subprocess.Popen([sys.executable, "-m", "crawler", *self.args], cwd=REPO,
                                     env=dict(os.environ, PYTHONPATH=str(REPO)),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self.out.extend, args=(self.proc.stdout,)),
                         threading.Thread(target=self.err.extend, args=(self.proc.stderr,))]
        for reader in self._readers:
            reader.start()

    def wait_for(self, predicate, what: str, seconds: float = 300) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while not predicate():
            if self.proc.poll() is not None:
                for reader in self._readers:  # all it wrote is read once it has ended
                    reader.join()
                if predicate():
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                if self.proc.poll() is None:
                    self.proc.kill()
                self.finish()  # no pipe left open behind a failed test
                raise AssertionError("no %s (exit code %s): %s" % (what, self.proc.returncode, self.stderr[-3000:]))
            time.sleep(0.05)

    def wait_for_items(self, count: int) -> None:
        self.wait_for(lambda: len(items(self.path)) >= count, "%d items" % count)

    def held(self, site: HeldSite, articles: int) -> None:
        """Wait until the crawl, let through `articles` article pages (hold() before it started),
        waits at the site's gate and has written their items: it is mid-run until release()."""
        self.wait_for(site.is_held, "request held at the gate")
        self.wait_for_items(articles)

    def interrupt(self, site: HeldSite, sig: int = signal.SIGINT) -> None:
        """Send `sig` (needs -v) and, once Scrapy says it stops gracefully, answer the held requests:
        a graceful stop waits for the requests in flight, and can no longer start new ones."""
        self.proc.send_signal(sig)
        self.wait_for(lambda: "shutting down gracefully" in self.stderr, "graceful shutdown")
        site.release()

    def finish(self) -> int:
        code = self.proc.wait(timeout=180)
        for reader in self._readers:
            reader.join()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)


def items(collection: Path) -> list[dict]:
    found = []
    for path in sorted((collection / "items").glob("*.jsonl")) if (collection / "items").exists() else []:
        for line in path.read_text().splitlines():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # the last line of a killed run may be torn
    return found


def runs(collection: Path, capsys) -> list[dict]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main(["runs", str(collection), "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def indexable_records(collection: Path) -> Counter[tuple[str, int]]:
    """(file, offset) of every record pywb replays, as warcio reads them from the WARCs."""
    found: Counter[tuple[str, int]] = Counter()
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                not_modified = record.rec_type == "revisit" and record.http_headers is not None \
                    and record.http_headers.get_statuscode() == "304"  # left out on purpose (archive/index.py)
                if record.rec_type in ("response", "revisit", "resource", "metadata") and not not_modified:
                    found[(path.name, records.get_record_offset())] += 1
    return found


def record_count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in ArchiveIterator(fh))


def index_entries(collection: Path) -> Counter[tuple[str, int]]:
    found: Counter[tuple[str, int]] = Counter()
    for line in (collection / "indexes" / "index.cdxj").read_text().splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        found[(fields["filename"], int(fields["offset"]))] += 1
    return found


def assert_index_complete(collection: Path) -> None:
    records, entries = indexable_records(collection), index_entries(collection)
    assert len(records) > 0
    missing = records - entries
    assert not missing, "%d of %d records not indexed, e.g. %s" % (len(missing), len(records), next(iter(missing)))
    assert entries == records  # each exactly once, and nothing that is not there


def killed_crawl(site: HeldSite, root: Path, collection: str) -> Crawl:
    site.hold(after=3, articles=True)
    crawl = Crawl(site.url, root, collection)
    crawl.held(site, 3)
    crawl.proc.send_signal(signal.SIGKILL)
    assert crawl.finish() == -signal.SIGKILL
    site.release()
    assert list((crawl.path / "archive").glob("*.open"))
    return crawl


def test_repair_ends_a_killed_run_and_indexes_every_record_it_saved(held_site, tmp_path: Path, capsys) -> None:
    collection = killed_crawl(held_site, tmp_path, "k").path
    (killed,) = runs(collection, capsys)
    assert killed["outcome"] == "running"  # nothing could record its end

    assert main(["repair", str(collection)]) == 0
    out = capsys.readouterr().out
    assert not list((collection / "archive").glob("*.open"))
    (warc,) = (collection / "archive").glob("*.warc.gz")
    assert "%s: kept %d records" % (warc, record_count(warc)) in out
    records = indexable_records(collection)
    assert "added %d lines to %s" % (len(records), collection / "indexes" / "index.cdxj") in out
    assert "marked 1 run(s) that did not end interrupted: %s" % killed["run_id"] in out
    assert_index_complete(collection)
    assert [r["outcome"] for r in runs(collection, capsys)] == ["interrupted"]
    # nothing left to do the second time
    assert main(["repair", str(collection)]) == 0
    out = capsys.readouterr().out
    assert "repaired 0 open WARC file(s)" in out and "added 0 lines" in out and "marked 0 run(s)" in out


def test_the_next_crawl_ends_a_killed_run_and_indexes_what_it_saved(held_site, tmp_path: Path, capsys) -> None:
    collection = killed_crawl(held_site, tmp_path, "n").path
    (killed,) = runs(collection, capsys)
    after = Crawl(held_site.url, tmp_path, "n")
    assert after.finish() == 0, after.stderr
    assert_index_complete(collection)
    history = runs(collection, capsys)
    assert [(r["run_id"], r["outcome"]) for r in history] == [
        (killed["run_id"], "interrupted"), (history[1]["run_id"], "finished")]
    report = json.loads((collection / "runs" / (history[1]["run_id"] + ".json")).read_text())
    (repaired,) = report["repair"]["files"]
    assert repaired["records"] == record_count(collection / "archive" / repaired["file"]) > 3
    saved = indexable_records(collection)
    assert report["repair"]["index_lines_added"] == sum(1 for name, _ in saved if name == repaired["file"])
    assert report["repair"]["interrupted_runs"] == [killed["run_id"]]
    assert "  repaired          1 WARC file(s) left open closed: %d records kept" % repaired["records"] \
        in after.stdout
    assert "%d index lines added" % report["repair"]["index_lines_added"] in after.stdout


def test_one_ctrl_c_says_interrupted_exits_130_and_resume_continues(held_site, tmp_path: Path, capsys) -> None:
    held_site.hold(after=1, articles=True)
    first = Crawl(held_site.url, tmp_path, "i", "-v")
    first.held(held_site, 1)
    first.interrupt(held_site)  # one Ctrl-C: close cleanly
    assert first.finish() == 130, first.stderr
    resume = shlex.join(["newsarchive", "crawl", held_site.url, "--collection", "i", "--root", str(tmp_path),
                         "--allow-private", "--resume"])
    assert ": INTERRUPTED" in first.stdout.splitlines()[0]
    assert "\n  %s\n" % resume in first.stdout
    assert "see the log above" not in first.stderr
    (interrupted,) = runs(first.path, capsys)
    assert interrupted["outcome"] == "interrupted"
    report = json.loads((first.path / "runs" / (interrupted["run_id"] + ".json")).read_text())
    assert (report["finish_reason"], report["outcome"]) == ("shutdown", "interrupted")
    done_first = {i["url"] for i in items(first.path)}
    assert 1 <= len(done_first) < len(held_site.article_urls())

    second = run_newsarchive(*shlex.split(resume)[1:])  # the line as printed
    assert second.returncode == 0, second.stderr
    assert [r["outcome"] for r in runs(first.path, capsys)] == ["interrupted", "finished"]
    archived = Counter(i["url"] for i in items(first.path))
    assert held_site.article_urls() <= set(archived)
    assert max(archived.values()) == 1  # nothing written twice


def test_ctrl_c_twice_says_how_to_continue_and_the_next_run_ends_it(held_site, tmp_path: Path, capsys) -> None:
    held_site.hold(after=1, articles=True)
    crawl = Crawl(held_site.url, tmp_path, "t", "-v")
    crawl.held(held_site, 1)
    crawl.proc.send_signal(signal.SIGINT)
    crawl.wait_for(lambda: "shutting down gracefully" in crawl.stderr, "graceful shutdown")
    # its graceful stop waits for the held requests: the second Ctrl-C surely comes before it ends
    assert crawl.proc.poll() is None
    crawl.proc.send_signal(signal.SIGINT)  # the second: stop now
    crawl.wait_for(lambda: "forcing unclean shutdown" in crawl.stderr, "forced shutdown")
    held_site.release()
    assert crawl.finish() == 130, crawl.stderr
    assert "see the log above" not in crawl.stderr
    assert "\n  newsarchive crawl %s --collection t --root %s --allow-private --resume\n" % (
        held_site.url, tmp_path) in crawl.stdout
    after = Crawl(held_site.url, tmp_path, "t", "--resume")
    assert after.finish() == 0, after.stderr
    assert [r["outcome"] for r in runs(crawl.path, capsys)] == ["interrupted", "finished"]
    assert_index_complete(crawl.path)


def test_runs_gives_one_outcome_and_full_times(demo_crawl, capsys) -> None:
    (row,) = runs(demo_crawl.path, capsys)
    assert row["outcome"] == "finished" and "job_outcome" not in row
    assert main(["runs", str(demo_crawl.path)]) == 0
    header, line = capsys.readouterr().out.splitlines()
    assert header.split() == ["run", "kind", "job", "started", "ended", "outcome", "requests", "articles"]
    cells = line.split()
    assert cells[3] == row["started"] and cells[4] == row["ended"]
    assert cells[3].endswith("+00:00") and cells[4].endswith("+00:00")
    assert cells[5] == "finished"


def test_replay_summary_speaks_of_replay(demo_crawl, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["replay", str(demo_crawl.path / "archive"), "--root", str(tmp_path), "--collection", "again"]) == 0
    out = capsys.readouterr().out
    (warc,) = (demo_crawl.path / "archive").glob("*.warc.gz")
    (crawled,) = demo_crawl.reports()
    assert "  WARC files read   1  (%d records)\n" % record_count(warc) in out
    assert "  responses         %d replayed  (" % crawled["responses"] in out
    assert "  revisits          0  (" in out and "  unreadable data   0\n" in out
    assert "pages fetched" not in out and "WARC files  " not in out and "wayback" not in out
    assert out.endswith("next:\n  newsarchive export again --root %s -o again.jsonl\n" % tmp_path)


def test_replay_of_a_file_that_is_no_warc_names_the_problem_once(tmp_path: Path, capsys) -> None:
    source = tmp_path / "notes.warc"
    source.write_text("hello world\n")
    capsys.readouterr()
    assert main(["replay", str(source), "--root", str(tmp_path), "--collection", "x"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("no WARC record here") == 1, captured.err
    assert "  unreadable data   1  (each named above)\n" in captured.out
    assert [r["outcome"] for r in runs(tmp_path / "x", capsys)] == ["failed"]  # as its exit code says


def test_runs_merges_the_scheduler_s_record_into_one_outcome_per_run(tmp_path: Path, capsys) -> None:
    collection = Collection.create(str(tmp_path), "s")
    with collection.store() as store:
        # a job whose crawl fetched nothing: the run and its job say failed (exit 1) alike
        store.start_job_run("r1", "news", "2026-03-20T00:00:00+00:00", "2026-03-20T00:00:01+00:00", 10)
        store.start_run("r1", "crawl", "2026-03-20T00:00:02.123456+00:00")
        store.end_run("r1", "2026-03-20T00:00:09.654321+00:00", Outcome.FAILED, {"requests": 1, "articles": 0})
        store.end_job_run("r1", "2026-03-20T00:00:10+00:00", Outcome.FAILED, {"exit_code": 1})
        # a job refused before its crawl recorded a run (a bad setting): only the scheduler knows it
        store.start_job_run("r2", "news", "2026-03-20T01:00:00+00:00", "2026-03-20T01:00:01+00:00", 11)
        store.end_job_run("r2", "2026-03-20T01:00:02+00:00", Outcome.REFUSED, {"exit_code": 2})
        # a crawl still going
        store.start_run("r3", "crawl", "2026-03-20T02:00:00+00:00")
    rows = runs(tmp_path / "s", capsys)
    assert [(r["run_id"], r["job"], r["outcome"]) for r in rows] == [
        ("r1", "news", "failed"), ("r2", "news", "refused"), ("r3", None, "running")]
    assert all("job_outcome" not in r for r in rows)
    assert main(["runs", "s", "--root", str(tmp_path)]) == 0
    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert table == [
        ["run", "kind", "job", "started", "ended", "outcome", "requests", "articles"],
        ["r1", "crawl", "news", "2026-03-20T00:00:02.123456+00:00", "2026-03-20T00:00:09.654321+00:00", "failed",
         "1", "0"],
        ["r2", "crawl", "news", "2026-03-20T01:00:01+00:00", "2026-03-20T01:00:02+00:00", "refused", "-", "-"],
        ["r3", "crawl", "-", "2026-03-20T02:00:00+00:00", "-", "running", "-", "-"],
    ]
