"""Replay and export killed (SIGKILL) at random moments: no helper process outlives them, no
multiprocessing temp directory is left, and running them again gives the whole, exact output."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, CrawlResult, run_newsarchive
from tests.test_crawler_crash import descendants, identity, running

KILLS = 3  # per mode


def start(*args: str, temp: Path, stdout: int | None = subprocess.DEVNULL) -> subprocess.Popen:
    # TMPDIR: where multiprocessing makes its pymp-* directories, so the test sees only ours
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(temp))
    return subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=REPO, env=env,
                            stdout=stdout, stderr=subprocess.DEVNULL)


def kill_and_check(proc: subprocess.Popen, temp: Path) -> None:
    """SIGKILL `proc`; every process of its tree is gone soon after, and no pymp-* dir is left."""
    tree = [identity(pid) for pid in descendants(proc.pid)]
    tree = [p for p in tree if p is not None]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 20  # they look for their parent twice a second
    while time.monotonic() < deadline and (any(running(p) for p in tree) or list(temp.glob("pymp-*"))):
        time.sleep(0.1)
    survivors = [Path("/proc/%d/cmdline" % p[0]).read_bytes() for p in tree if running(p)]
    assert not survivors, "processes outlived their killed parent: %r" % survivors
    assert not list(temp.glob("pymp-*")), "a killed run left its multiprocessing temp directory"


def line_count(collection: Path) -> int:
    return sum(f.read_bytes().count(b"\n") for f in collection.glob("items/*.jsonl"))


def comparable(export: str) -> list[dict]:
    """Exported items without the run id, which differs between runs."""
    return [{k: v for k, v in json.loads(line).items() if k != "run"} for line in export.splitlines()]


def test_replay_killed_at_random_moments_leaves_nothing_running(demo_crawl: CrawlResult, tmp_path: Path) -> None:
    rng = random.Random(1310)
    temp = tmp_path / "tmp"
    temp.mkdir()
    source = str(demo_crawl.path / "archive")
    whole = run_newsarchive("replay", source, "--collection", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    expected = run_newsarchive("export", str(tmp_path / "whole")).stdout
    total = len(expected.splitlines())
    assert total >= 10
    target = tmp_path / "killed"
    kills = 0
    for _trial in range(KILLS):
        proc = start("replay", source, "--collection", str(target), temp=temp)
        wanted = line_count(target) + rng.randint(1, total // 2)  # items this replay writes first
        while proc.poll() is None and line_count(target) < wanted:
            time.sleep(0.01)
        if proc.poll() is None:
            kills += 1
            kill_and_check(proc, temp)
        else:
            proc.wait()
    assert kills >= 2, "the replays ended before they could be killed"
    again = run_newsarchive("replay", source, "--collection", str(target))
    assert again.returncode == 0, again.stderr
    assert comparable(run_newsarchive("export", str(target)).stdout) == comparable(expected)


def write_items(path: Path, count: int) -> None:
    """A big item file (the export starts worker processes only past 96 MB of JSON lines)."""
    text = " ".join(["word"] * 2400)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(count):
            fh.write(json.dumps({"url": "http://example.test/a/%d" % (n % (count - 50)), "title": "A %d" % n,
                                 "published": "2024-01-%02dT00:00:00+00:00" % (1 + n % 28), "text": text}) + "\n")


def test_export_killed_at_random_moments_leaves_nothing_running(tmp_path: Path) -> None:
    rng = random.Random(1311)
    temp = tmp_path / "tmp"
    temp.mkdir()
    collection = tmp_path / "big"
    for sub in ("archive", "indexes", "items", "runs", "state"):
        (collection / sub).mkdir(parents=True)
    write_items(collection / "items" / "20240101000000000000.jsonl", 9000)  # ~110 MB
    assert (collection / "items" / "20240101000000000000.jsonl").stat().st_size > 100 << 20
    expected = run_newsarchive("export", str(collection), "--workers", "2").stdout.encode()
    assert expected.count(b"\n") == 9000 - 50
    kills = 0
    for trial in range(2 * KILLS):
        proc = start("export", str(collection), "--workers", "2", temp=temp, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        if trial % 2 == 0:
            # while the workers scan the files: kill once both of them (and the tracker) are seen
            while proc.poll() is None and len(descendants(proc.pid)) < 3:
                time.sleep(0.01)
        else:
            for _ in range(rng.randint(1, 4000)):  # while it writes: after a random number of records
                proc.stdout.readline()
        if proc.poll() is None:
            kills += 1
            kill_and_check(proc, temp)
        proc.stdout.close()
    assert kills >= 4, "the exports ended before they could be killed"
    out = tmp_path / "out.jsonl"
    again = run_newsarchive("export", str(collection), "--workers", "2", "-o", str(out))
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == expected
