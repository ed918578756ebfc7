"""Nothing written is ever lost: crawls killed at random moments, then repaired and resumed."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cli import main
from tests.conftest import REPO, warc_check
from tests.held_site import HeldSite
from tests.test_crawler_runs import Crawl, assert_index_complete, runs


@pytest.fixture
def held_site() -> Iterator[HeldSite]:
    """The demo site's pages behind a gate: a crawl signalled while held is surely mid-run."""
    with HeldSite() as site:
        yield site


def start_crawl(site_url: str, root: Path, collection: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", site_url, "--root", str(root),
         "--collection", collection, "--allow-private", "-s", "CONCURRENT_REQUESTS=4"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def descendants(pid: int) -> list[int]:
    found = []
    for path in Path("/proc/%d/task" % pid).glob("*/children"):
        try:
            children = [int(c) for c in path.read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def identity(pid: int) -> tuple[int, str] | None:
    """`pid` with its start time: pids are reused (pid_max may be 32768), so a pid alone could
    name another process by the time we look again."""
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
    except OSError:
        return None
    return pid, stat.rsplit(")", 1)[1].split()[19]  # field 22, after the parenthesized name


def running(process: tuple[int, str] | None) -> bool:
    if process is None:
        return False
    try:
        fields = Path("/proc/%d/stat" % process[0]).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == process[1] and fields[0] != "Z"


def complete_items(collection: Path) -> list[dict]:
    items = []
    for path in sorted((collection / "items").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError:
                assert line is path.read_text().splitlines()[-1], "only a last line may be torn"
    return items


def pointer_is_valid(collection: Path, item: dict) -> bool:
    pointer = item["warc"]
    path = collection / "archive" / pointer["filename"]
    if not path.exists():
        return False
    with open(path, "rb") as fh:
        fh.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(fh)))
        return (record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
                # a page first captured by a run killed before its item was written is a
                # revisit of that capture when the next run fetches it again
                and record.rec_type in ("response", "revisit"))


def test_sigkill_at_random_moments_loses_nothing_already_written(held_site, tmp_path: Path, capsys) -> None:
    rng = random.Random(20261128)
    collection = tmp_path / "crash"
    for _attempt in range(5):
        # killed at a random point: when it asks for a page past a random number of articles,
        # the pages before still being extracted, decided and written. The site has 36; five runs
        # let at most 25 through (and a few aliases), so every run still has articles to ask for.
        held_site.hold(after=rng.randint(0, 5), articles=True)
        proc = start_crawl(held_site.url, tmp_path, "crash")
        try:
            held_site.wait_until_held(proc)
        except AssertionError as err:
            proc.kill()
            raise AssertionError("%s: %s" % (err, proc.communicate()[1][-3000:])) from None
        helpers = [identity(pid) for pid in descendants(proc.pid)]  # workers, their forkserver
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        held_site.release()
        deadline = time.monotonic() + 120  # they notice their crawl is gone and leave
        while time.monotonic() < deadline and any(running(p) for p in helpers):
            time.sleep(0.1)
        assert not [p for p in helpers if running(p)], "orphaned helper processes"
        proc.stderr.close()
        items = complete_items(collection)
        for item in items:  # every item written stays, and after repair points at its record
            if not pointer_is_valid(collection, item):
                assert (collection / "archive" / (item["warc"]["filename"] + ".open")).exists()
        assert main(["repair", "crash", "--root", str(tmp_path)]) == 0
        assert not list((collection / "archive").glob("*.open"))
        assert all(pointer_is_valid(collection, item) for item in complete_items(collection))
    # a last, uninterrupted run completes the collection: every article exactly once in export
    proc = start_crawl(held_site.url, tmp_path, "crash")
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    proc.stderr.close()
    capsys.readouterr()
    assert main(["export", "crash", "--root", str(tmp_path)]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {i["url"] for i in exported} == held_site.article_urls()
    check = warc_check(str(collection / "archive"))
    assert check.stdout.strip().splitlines()[-1].endswith(" 0 failures"), check.stdout[-3000:]
    # every record saved from a killed run is indexed, once; no run stays "running"
    assert_index_complete(collection)
    outcomes = [r["outcome"] for r in runs(collection, capsys)]
    assert outcomes == ["interrupted"] * 5 + ["finished"]


def test_sigterm_closes_files_and_keeps_the_runs_items(held_site, tmp_path: Path) -> None:
    held_site.hold(after=3, articles=True)
    crawl = Crawl(held_site.url, tmp_path, "term", "-s", "CONCURRENT_REQUESTS=4", "-v")
    crawl.held(held_site, 3)
    collection = crawl.path
    assert list((collection / "archive").glob("*.open"))  # writing when the signal comes
    crawl.interrupt(held_site, signal.SIGTERM)
    assert crawl.finish() == 130, crawl.stderr  # interrupted: it can be continued
    assert not list((collection / "archive").glob("*.open"))
    (report,) = [json.loads(p.read_text()) for p in (collection / "runs").glob("*.json")]
    assert (report["finish_reason"], report["outcome"]) == ("shutdown", "interrupted")
    items = complete_items(collection)
    assert report["articles"] == len(items)
    assert all(pointer_is_valid(collection, item) for item in items)


def test_an_interrupted_crawl_resumes_without_fetching_again(held_site, tmp_path: Path) -> None:
    args = ("--resume", "-s", "CONCURRENT_REQUESTS=1")
    held_site.hold(after=5, articles=True)  # SIGTERM comes with pages still to fetch
    first = Crawl(held_site.url, tmp_path, "r", *args, "-v")
    first.held(held_site, 5)
    first.interrupt(held_site, signal.SIGTERM)
    assert first.finish() == 130, first.stderr
    collection = first.path
    assert (collection / "state" / "jobdir").is_dir()  # the frontier was kept for --resume
    done_first = {i["url"] for i in complete_items(collection)}
    assert 5 <= len(done_first) < len(held_site.article_urls())
    second = Crawl(held_site.url, tmp_path, "r", *args)
    assert second.finish() == 0, second.stderr
    assert not (collection / "state" / "jobdir").exists()  # finished: the next run starts afresh
    urls = []
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            urls += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                     if r.rec_type in ("response", "revisit")]
    repeated = {u for u in urls if urls.count(u) > 1 and not u.endswith("/robots.txt")}
    assert not repeated
    assert held_site.article_urls() <= {i["url"] for i in complete_items(collection)}
