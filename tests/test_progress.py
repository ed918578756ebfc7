"""Progress as a user sees it: a live area updated in place on a terminal (a pseudo-terminal here),
plain `key=value` lines every N seconds without one, nothing with -q. Real crawls of the demo site."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ContextManager

from tests.conftest import REPO, run_newsarchive, serving

ESCAPE = re.compile(r"\x1b\[")
ANY_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO crawler\.robots: robots\.txt of \S+ read "
                      r"\(200, \d+ bytes\)$")
# rich redraws its area by moving the cursor up over it and erasing lines
CURSOR_UP_ERASE = re.compile(r"\x1b\[1A\x1b\[2K|\x1b\[2K\x1b\[1A")
PLAIN = re.compile(r"^newsarchive (crawl|replay|export|wacz): progress ((?:\S+=\S+ ?)+)$")


def run_on_a_terminal(*args: str, cwd: Path = REPO, timeout: float = 300) -> tuple[int, str, str]:
    """`python -m crawler ARGS` with its stderr on a pseudo-terminal (stdout a pipe, as with `> file`)."""
    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), TERM="xterm-256color", COLUMNS="160", LINES="40")
    proc = subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError("no output for %s s: %r" % (timeout, bytes(seen[-2000:])))
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read().decode("utf-8")
    code = proc.wait(timeout=timeout)
    os.close(leader)
    return code, out, seen.decode("utf-8", "replace")


def plain_lines(err: str) -> list[dict[str, str]]:
    found = []
    for line in err.splitlines():
        match = PLAIN.match(line)
        if match:
            found.append(dict(pair.split("=", 1) for pair in match.group(2).split()))
    return found


def test_on_a_terminal_the_crawl_updates_one_area_in_place(demo_site, tmp_path: Path) -> None:
    code, out, err = run_on_a_terminal("-v", "crawl", demo_site.url, "--root", str(tmp_path), "--collection",
                                       "live", "--allow-private", "--max-pages", "40")
    assert code == 0, err[-3000:]
    # a log line said while the area is shown is printed above it, whole, on a line of its own
    said = [ANY_ESCAPE.sub("", line) for line in err.splitlines() if "robots.txt of 127.0.0.1" in line]
    assert len(said) == 1 and LOG_LINE.match(said[0]), said
    assert CURSOR_UP_ERASE.search(err), repr(err[-2000:])  # redrawn over itself, not scrolled
    assert not PLAIN.search(err)  # no plain lines on a terminal
    last = err.rsplit("crawl 0:", 1)[-1]  # the area as last drawn: the run's final figures
    pages = re.search(r"(\d+) pages \([\d.]+/s\)", last)
    articles = re.search(r"(\d+) articles", last)
    assert pages and articles, repr(last)
    assert 0 < int(pages.group(1)) <= 40  # requisites are not pages
    assert re.search(r"\d+ requisites", last) and re.search(r"\d+ in flight", last) and "queued" in last
    assert "duplicates 0 exact / 0 near" in last or re.search(r"duplicates \d+ exact / \d+ near", last)
    assert re.search(r"[\d.]+ (B|KB|MB) archived", last)
    assert "articles written" in out and not ESCAPE.search(out)  # the summary is output, plain


def test_without_a_terminal_plain_lines_every_n_seconds(demo_site, tmp_path: Path) -> None:
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(tmp_path), "--collection", "plain",
                           "--allow-private", "--progress-every", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert not ESCAPE.search(proc.stderr), repr(proc.stderr[:500])
    lines = plain_lines(proc.stderr)
    assert len(lines) >= 2, proc.stderr  # the crawl of the demo site takes seconds
    for fields in lines:
        assert {"elapsed", "pages", "pages_per_s", "in_flight", "queued", "articles", "duplicates_exact",
                "duplicates_near", "not_articles", "errors", "bytes", "requisites"} <= set(fields), fields
    pages = [int(f["pages"]) for f in lines]
    assert pages == sorted(pages) and pages[-1] > 0
    report = sorted((tmp_path / "plain" / "runs").glob("*.json"))
    assert report
    # errors by kind: the demo site's 404s are named as such
    assert any("errors_http_404" in f for f in lines) or all(f["errors"] == "0" for f in lines)


def test_progress_every_0_and_quiet_print_no_progress(demo_site, tmp_path: Path) -> None:
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(tmp_path), "--collection", "never",
                           "--allow-private", "--max-pages", "20", "--progress-every", "0")
    assert proc.returncode == 0 and not plain_lines(proc.stderr), proc.stderr
    code, out, err = run_on_a_terminal("-q", "crawl", demo_site.url, "--root", str(tmp_path),
                                       "--collection", "quiet", "--allow-private", "--max-pages", "20")
    assert code == 0, err
    assert err == "", repr(err[:1000])  # not one byte on the terminal
    assert "articles written" in out


def test_json_log_format_makes_the_plain_lines_json(demo_site, tmp_path: Path) -> None:
    import json

    proc = run_newsarchive("--log-format", "json", "crawl", demo_site.url, "--root", str(tmp_path),
                           "--collection", "jsonp", "--allow-private", "--progress-every", "0.5")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines()]
    progress = [e for e in events if e["event"] == "progress"]
    assert progress and all(e["command"] == "crawl" and "pages" in e for e in progress), proc.stderr


def test_replay_export_and_wacz_show_progress_with_an_eta(demo_crawl, tmp_path: Path) -> None:
    root = str(demo_crawl.root)
    code, _, err = run_on_a_terminal("replay", "demo", "--root", root, "--collection", "again")
    assert code == 0, err[-2000:]
    assert CURSOR_UP_ERASE.search(err) or "replay 0:" in err, repr(err[-2000:])
    assert re.search(r"100% of [\d.]+ (KB|MB)", err), repr(err[-2000:])  # read all the bytes it knew of
    proc = run_newsarchive("replay", "demo", "--root", root, "--collection", "again2", "--progress-every",
                           "0.05")
    assert proc.returncode == 0, proc.stderr
    lines = plain_lines(proc.stderr)
    assert lines and all("total_bytes" in f for f in lines), proc.stderr
    proc = run_newsarchive("export", "demo", "--root", root, "-o", str(tmp_path / "out.jsonl"),
                           "--progress-every", "0.001", "--workers", "0")
    assert proc.returncode == 0, proc.stderr
    assert not ESCAPE.search(proc.stderr)
    code, _, err = run_on_a_terminal("wacz", "demo", "--root", root, "-o", str(tmp_path / "demo.wacz"))
    assert code == 0, err[-2000:]
    assert "wacz 0:" in err and re.search(r"\d+% of", err), repr(err[-2000:])


class _SlowThenBroken(BaseHTTPRequestHandler):
    """A home page that takes a second (the live area is drawn meanwhile) and links to a page that fails."""

    def do_GET(self) -> None:
        if self.path == "/":
            time.sleep(1.0)
            status, body = 200, b"<html><body><p>home</p><a href='/broken'>broken</a></body></html>"
        else:
            status, body = (404, b"none") if self.path == "/robots.txt" else (500, b"broken")
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def slow_then_broken_site() -> ContextManager[str]:
    return serving(_SlowThenBroken)


def test_a_log_line_said_while_the_area_is_shown_goes_above_it(tmp_path: Path) -> None:
    with slow_then_broken_site() as url:
        code, _, err = run_on_a_terminal("crawl", url, "--root", str(tmp_path), "--collection", "above",
                                         "--allow-private", "-s", "RETRY_TIMES=0", "-s", "DISCOVERY_PROBE=false")
    assert "pages (" in err.split(url + "broken")[0], repr(err[-3000:])  # the area was drawn before the line
    said = [ANY_ESCAPE.sub("", line) for line in err.splitlines() if url + "broken" in line]
    assert said, repr(err[-3000:])
    for line in said:  # whole, on a line of its own: not written into the area's last line
        assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR) ", line), said
