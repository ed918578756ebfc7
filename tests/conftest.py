"""Shared fixtures: the demo site on 127.0.0.1 and real crawls of it, run as a user runs them."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from demosite import DemoSite

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
WARC_CHECK = SHARED / "tools" / "warc_check.py"
WARC_CHECK_MISSING = "../shared/tools/warc_check.py is not beside this clone"


@dataclass
class CrawlResult:
    """One finished `newsarchive crawl` (or other command) run in a child process."""

    root: Path
    collection: str
    returncode: int
    stdout: str
    stderr: str

    @property
    def path(self) -> Path:
        return self.root / self.collection

    def reports(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted((self.path / "runs").glob("*.json"))]

    def items(self, run: str | None = None) -> list[dict]:
        files = sorted((self.path / "items").glob("*.jsonl"))
        if run is not None:
            files = [f for f in files if f.stem == run]
        return [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]


def run_newsarchive(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m crawler ARGS` in a child process: a Twisted reactor runs once per process."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], cwd=cwd or REPO, env=env,
        capture_output=True, text=True, timeout=timeout,
    )


def crawl(site_url: str, root: Path, collection: str, *extra: str) -> CrawlResult:
    proc = run_newsarchive("crawl", site_url, "--root", str(root), "--collection", collection,
                           "--allow-private", *extra)
    return CrawlResult(root, collection, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture(scope="session")
def demo_crawl(demo_site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """The demo site crawled once into a fresh collection; most crawl tests read this."""
    root = tmp_path_factory.mktemp("collections")
    result = crawl(demo_site.url, root, "demo")
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def demo_recrawl(
    demo_crawl: CrawlResult, demo_site: DemoSite, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    """A second crawl of (a copy of) the demo collection, so `demo_crawl` stays as it was."""
    root = tmp_path_factory.mktemp("recrawl")
    shutil.copytree(demo_crawl.path, root / demo_crawl.collection)
    result = crawl(demo_site.url, root, demo_crawl.collection)
    assert result.returncode == 0, result.stderr
    return result


def warc_check(*args: str) -> subprocess.CompletedProcess:
    """The independent checker ../shared/tools/warc_check.py on ARGS.

    A clone without ../shared beside it has no checker: the calling test is skipped there, with
    that reason, at the point of the call (so callers check with it last, after their own asserts).
    """
    if not WARC_CHECK.is_file():
        pytest.skip(WARC_CHECK_MISSING)
    return subprocess.run([sys.executable, str(WARC_CHECK), *args],
                          capture_output=True, text=True, timeout=600)


@contextmanager
def small_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "4m") mounted at `mount_point` for the test: a disk that really
    fills. Skipped, with the reason, where this machine lets no one mount."""
    mount_point.mkdir(exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) on this machine: cannot make a small disk")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (%s)" % (proc.stderr.strip() or "mount failed"))
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_wayback(collections_root: Path, tmp_path: Path) -> Iterator[str]:
    """pywb's `wayback` started where a user starts it: above `collections/`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "collections").symlink_to(collections_root, target_is_directory=True)
    port = free_port()
    wayback_bin = Path(sys.executable).with_name("wayback")
    proc = subprocess.Popen([str(wayback_bin), "-p", str(port), "-b", "127.0.0.1", "-d", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d/" % port
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(base, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("wayback did not start on %s" % base)
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def serving(handler: type) -> Iterator[str]:
    """A threaded http.server with `handler` on 127.0.0.1; yields its base URL."""
    import threading
    from http.server import ThreadingHTTPServer
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
