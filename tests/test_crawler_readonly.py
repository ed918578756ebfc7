"""A collection that cannot be written, or is being written: every command that would write it says
so in one line naming the file and the cause, exit 1 (exit 2 for a collection another run holds),
no traceback, and nothing already archived changes.

Root writes through permission bits, so a read-only collection is a read-only bind mount of a copy
of the demo crawl (skipped, with the reason, where this machine lets no one mount)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.cli import main
from tests.conftest import REPO, CrawlResult, run_newsarchive
from tests.hostile_server import ARTICLE, HostileServer, page

READ_ONLY = os.strerror(30)  # "Read-only file system"


def tree(path: Path) -> dict[str, str]:
    """Every file under `path` with the sha256 of its bytes."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-3000:]
    return lines[0]


@pytest.fixture
def read_only_root(demo_crawl: CrawlResult, tmp_path: Path) -> Iterator[Path]:
    """A copy of the demo crawl's collections root, mounted read-only over itself."""
    root = tmp_path / "collections"
    subprocess.run(["cp", "-a", str(demo_crawl.root), str(root)], check=True)
    steps = (["mount", "--bind", str(root), str(root)], ["mount", "-o", "remount,ro,bind", str(root)])
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            if step is steps[1]:
                subprocess.run(["umount", str(root)], capture_output=True)
            pytest.skip("cannot make a read-only bind mount here (%s)" % (proc.stderr.strip() or "mount failed"))
    probe = root / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        pass
    else:
        probe.unlink()
        subprocess.run(["umount", str(root)], capture_output=True)
        pytest.skip("the read-only bind mount accepts writes on this machine")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True)


def lock_line(command: str, root: Path) -> str:
    return "newsarchive %s: cannot write %s: %s" % (command, root / "demo" / "state" / "writer.lock", READ_ONLY)


@pytest.mark.parametrize("resume", [False, True], ids=["crawl", "resume"])
def test_crawl_into_a_read_only_collection_is_one_line(demo_site, read_only_root: Path, resume: bool) -> None:
    before = tree(read_only_root)
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(read_only_root), "--collection", "demo",
                           "--allow-private", *(["--resume"] if resume else []))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert one_line(proc.stderr) == lock_line("crawl", read_only_root)
    assert tree(read_only_root) == before


def test_replay_into_a_read_only_collection_is_one_line(read_only_root: Path) -> None:
    before = tree(read_only_root)
    proc = run_newsarchive("replay", "demo", "--root", str(read_only_root), "--collection", "demo")
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert one_line(proc.stderr) == lock_line("replay", read_only_root)
    assert tree(read_only_root) == before


def test_repair_of_a_read_only_collection_is_one_line(read_only_root: Path, capsys) -> None:
    before = tree(read_only_root)
    assert main(["repair", "demo", "--root", str(read_only_root)]) == 1
    assert one_line(capsys.readouterr().err) == lock_line("repair", read_only_root)
    assert tree(read_only_root) == before


def test_index_of_a_read_only_collection_is_one_line(read_only_root: Path, capsys) -> None:
    before = tree(read_only_root)
    assert main(["index", "demo", "--root", str(read_only_root)]) == 1
    assert one_line(capsys.readouterr().err) == "newsarchive index: cannot write %s: %s" % (
        read_only_root / "demo" / "indexes" / "index.cdxj", READ_ONLY)
    assert tree(read_only_root) == before


def test_export_of_a_read_only_collection_still_works(read_only_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    assert main(["export", "demo", "--root", str(read_only_root), "-o", str(out)]) == 0
    assert out.read_text().count("\n") > 10  # reading needs no writing


# -- a collection another crawl is writing --------------------------------------------------------

def test_resume_against_a_running_crawl_is_refused_and_leaves_it_alone(tmp_path: Path) -> None:
    gate = threading.Event()

    def held(server: HostileServer, conn, request: bytes) -> None:  # the crawl waits here until let go
        gate.wait(120)
        conn.sendall(page(ARTICLE, extra=[(b"Connection", b"close")]))

    root = tmp_path / "collections"
    with HostileServer(routes={"/": held}) as server:
        running = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", server.url, "--root", str(root), "--collection", "c",
             "--allow-private"], cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while not server.requested("/"):  # its run has begun: it holds the writer lock
                assert running.poll() is None, running.communicate()
                assert time.monotonic() < deadline, "the crawl never asked for its seed"
                time.sleep(0.05)
            jobdir = root / "c" / "state" / "jobdir"
            before = tree(jobdir)
            assert before, "the running crawl has a frontier on disk"
            second = run_newsarchive("crawl", server.url, "--root", str(root), "--collection", "c",
                                     "--allow-private", "--resume")
            assert second.returncode == 2, second.stderr[-3000:]
            assert one_line(second.stderr) == (
                "newsarchive crawl: collection 'c' is being written by another run (pid %d)" % running.pid)
            assert tree(jobdir) == before
        finally:
            gate.set()
            out, err = running.communicate(timeout=300)
    assert running.returncode == 0, err[-3000:]
    assert "1 articles" in out or "articles written  1" in out, out


def test_a_new_collection_in_a_read_only_place_is_one_line_exit_2(demo_site, read_only_root: Path) -> None:
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(read_only_root), "--collection", "new",
                           "--allow-private")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert one_line(proc.stderr) == "newsarchive crawl: cannot create collection 'new' at %s: %s" % (
        read_only_root / "new", READ_ONLY)
