"""A crawler of untrusted pages opens no way in: no console, no remote execution, no port."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO

# Scrapy's extensions that open a way into the crawl process or write what is not the archive
UNWANTED = {
    "scrapy.extensions.telnet.TelnetConsole",  # a Python console on a TCP port
    "scrapy.extensions.remote_control.RemoteControl",  # runs posted Python code (HTTP, job file)
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.spiderstate.SpiderState",  # pickles spider.state into JOBDIR; ours has none
}


class HeldPage:
    """A site whose home page waits for the test: while it waits, the crawl is surely running."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/":
                    self.send_error(404)
                    return
                held.asked.set()
                held.release.wait(300)
                body = b"<html><head><title>Held</title></head><body><p>held page</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]

    def __enter__(self) -> HeldPage:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def listening_ports(pid: int) -> list[int]:
    """TCP ports the process `pid` listens on (its sockets in LISTEN state, from /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            inodes.add(match.group(1))
    ports = []
    for table in ("tcp", "tcp6"):
        path = Path("/proc/%d/net/%s" % (pid, table))
        for line in path.read_text().splitlines()[1:] if path.exists() else []:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def enabled_extensions(log: str) -> list[str]:
    match = re.search(r"Enabled extensions:\n(\[.*?\])\n", log, re.DOTALL)
    assert match, log[-3000:]
    return list(ast.literal_eval(match.group(1)))


@pytest.fixture(scope="module")
def held_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[int], str, Path]]:
    root = tmp_path_factory.mktemp("held")
    jobs = root / "remote-control-jobs"
    with HeldPage() as site:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", site.url, "--root", str(root), "--collection", "held",
             "--allow-private", "-vv", "-s", "REMOTE_CONTROL_JOBS_DIR=%s" % jobs],
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert site.asked.wait(300), "the crawl never asked for the page"
            ports = listening_ports(proc.pid)  # every extension has started by the first page
        finally:
            site.release.set()
            _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    yield ports, err, jobs


def test_a_crawl_listens_on_no_port(held_crawl) -> None:
    ports, _, _ = held_crawl
    assert ports == []


def test_no_console_remote_control_or_debugger_is_enabled(held_crawl) -> None:
    _, log, jobs = held_crawl
    enabled = enabled_extensions(log)
    assert "crawler.run_extension.CrawlRun" in enabled  # the list is the crawl's real one
    assert not UNWANTED & set(enabled)
    assert not jobs.exists()  # no job file with a port and a token
