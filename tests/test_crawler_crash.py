"""Nothing written is ever lost: crawls killed at random moments, then repaired and resumed."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.cli import main
from tests.conftest import REPO, warc_check
from tests.test_crawler_runs import assert_index_complete, runs


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


def test_sigkill_at_random_moments_loses_nothing_already_written(demo_site, tmp_path: Path, capsys) -> None:
    rng = random.Random(20261128)
    collection = tmp_path / "crash"
    kills = 0
    for _attempt in range(5):
        proc = start_crawl(demo_site.url, tmp_path, "crash")
        # kill it at a random moment once it is writing (starting up takes a while, more so
        # on a loaded machine)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not list(
                (collection / "archive").glob("*.open") if (collection / "archive").exists() else []):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.5))
        helpers = [identity(pid) for pid in descendants(proc.pid)]  # workers, their forkserver
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        deadline = time.monotonic() + 10  # they notice their crawl is gone and leave
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
    assert kills >= 3, "the crawls finished before they could be killed"
    # a last, uninterrupted run completes the collection: every article exactly once in export
    proc = start_crawl(demo_site.url, tmp_path, "crash")
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    proc.stderr.close()
    capsys.readouterr()
    assert main(["export", "crash", "--root", str(tmp_path)]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {i["url"] for i in exported} == {a.url for a in demo_site.articles()}
    check = warc_check(str(collection / "archive"))
    assert check.stdout.strip().splitlines()[-1].endswith(" 0 failures"), check.stdout[-3000:]
    # every record saved from a killed run is indexed, once; no run stays "running"
    assert_index_complete(collection)
    outcomes = [r["outcome"] for r in runs(collection, capsys)]
    assert len(outcomes) == 6 and outcomes[-1] == "finished" and "running" not in outcomes
    assert "interrupted" in outcomes


def test_sigterm_closes_files_and_keeps_the_runs_items(demo_site, tmp_path: Path) -> None:
    proc = start_crawl(demo_site.url, tmp_path, "term")
    collection = tmp_path / "term"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((collection / "archive").glob("*.open")):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 130  # interrupted: it can be continued
    proc.stderr.close()
    assert not list((collection / "archive").glob("*.open"))
    (report,) = [json.loads(p.read_text()) for p in (collection / "runs").glob("*.json")]
    assert (report["finish_reason"], report["outcome"]) == ("shutdown", "interrupted")
    items = complete_items(collection)
    assert report["articles"] == len(items)
    assert all(pointer_is_valid(collection, item) for item in items)


def test_an_interrupted_crawl_resumes_without_fetching_again(demo_site, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = [sys.executable, "-m", "crawler", "crawl", demo_site.url, "--root", str(tmp_path),
            "--collection", "r", "--allow-private", "--resume", "-s", "CONCURRENT_REQUESTS=1",
            "-s", "DOWNLOAD_DELAY=0.2"]  # slow enough that SIGTERM comes with pages still to fetch
    first = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    collection = tmp_path / "r"
    deadline = time.monotonic() + 120
    def written() -> int:
        return len(complete_items(collection)) if (collection / "items").exists() else 0

    while time.monotonic() < deadline and written() < 5:
        time.sleep(0.1)
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=120) == 130
    first.stderr.close()
    assert (collection / "state" / "jobdir").is_dir()  # the frontier was kept for --resume
    done_first = {i["url"] for i in complete_items(collection)}
    assert 5 <= len(done_first) < len(demo_site.articles())
    second = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert not (collection / "state" / "jobdir").exists()  # finished: the next run starts afresh
    urls = []
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            urls += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                     if r.rec_type in ("response", "revisit")]
    repeated = {u for u in urls if urls.count(u) > 1 and not u.endswith("/robots.txt")}
    assert not repeated
    assert {a.url for a in demo_site.articles()} <= {i["url"] for i in complete_items(collection)}
