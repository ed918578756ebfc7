"""Politeness: a 5xx robots.txt disallows the whole host for the run; Retry-After on 429/503 is honoured."""
from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.retry_after import retry_after_seconds
from tests.conftest import CrawlResult, run_newsarchive
from tests.hostile_server import ARTICLE, HostileServer, article, page

CLOSE = [(b"Connection", b"close")]


def _host(request: bytes) -> str:
    for line in request.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            return value.strip().decode("latin-1").rsplit(":", 1)[0]
    return ""


def _links(*paths: str) -> bytes:
    return ("<html><body>%s</body></html>" % " ".join('<a href="%s">%s</a>' % (p, p) for p in paths)).encode()


class PoliteSite:
    """127.0.0.1 with a 429 page, and the same server as `localhost` whose robots.txt answers 503."""

    def __init__(self) -> None:
        self.limited_at: list[float] = []
        self._lock = threading.Lock()
        self.server = HostileServer(routes={"/robots.txt": self.robots, "/": self.home, "/limited": self.limited,
                                            "/story": self.story})

    def robots(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        if _host(request) == "localhost":
            conn.sendall(page(b"busy", status="503 Service Unavailable", content_type=b"text/plain", extra=CLOSE))
        else:
            conn.sendall(page(b"User-agent: *\nAllow: /\n", content_type=b"text/plain", extra=CLOSE))

    def home(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(_links("/limited", "/story"), extra=CLOSE))

    def story(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(article("Ferries run again", 3), extra=CLOSE))

    def limited(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        with self._lock:
            self.limited_at.append(time.monotonic())
            first = len(self.limited_at) == 1
        if first:
            conn.sendall(page(b"slow down", status="429 Too Many Requests",
                              extra=CLOSE + [(b"Retry-After", b"1")]))
        else:
            conn.sendall(page(ARTICLE, extra=CLOSE))


def _crawl(root: Path, *seeds_and_options: str) -> CrawlResult:
    proc = run_newsarchive("crawl", *seeds_and_options, "--root", str(root), "--collection", "p", "--allow-private",
                           "-s", "DISCOVERY_PROBE=false", "-s", "RETRY_TIMES=1", timeout=300)
    return CrawlResult(root, "p", proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def polite_crawl(tmp_path_factory: pytest.TempPathFactory):
    site = PoliteSite()
    with site.server as server:
        other = server.url.replace("127.0.0.1", "localhost")
        result = _crawl(tmp_path_factory.mktemp("polite"), server.url, other + "closed")
        yield site, server, result


def test_a_5xx_robots_txt_disallows_every_page_of_its_host(polite_crawl) -> None:
    _, server, result = polite_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    of_localhost = [r.split(b" ", 2)[1] for r in server.requests if _host(r) == "localhost"]
    assert of_localhost and set(of_localhost) == {b"/robots.txt"}  # the seed /closed never went out
    stats = result.reports()[-1]["stats"]
    assert stats["robotstxt/server_error"] == 1
    warned = [line for line in result.stderr.splitlines() if "robots.txt answered 503" in line]
    assert len(warned) == 1 and "WARNING" in warned[0] and "localhost" in warned[0]


def test_a_429_with_retry_after_is_retried_after_the_delay_then_archived(polite_crawl) -> None:
    site, server, result = polite_crawl
    assert server.requested("/limited") == 2
    stats = result.reports()[-1]["stats"]
    assert stats["fetch/retry_after"] == 1
    assert stats["fetch/retry_after_seconds"] == 1  # the host's slot was held for what the server asked
    urls = {item["url"] for item in result.items()}
    assert server.url + "limited" in urls and server.url + "story" in urls


def test_a_retry_after_past_the_cap_skips_the_host_for_the_run(tmp_path: Path) -> None:
    def blocked(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(b"come back tomorrow", status="503 Service Unavailable",
                          extra=CLOSE + [(b"Retry-After", b"100000")]))

    def home(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(_links("/blocked", "/blocked-too", "/story"), extra=CLOSE))

    routes = {"/": home, "/blocked": blocked, "/blocked-too": blocked}
    with HostileServer(routes=routes) as server:
        result = _crawl(tmp_path, server.url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.requested("/blocked") <= 1 and server.requested("/blocked-too") <= 1  # never retried
    stats = result.reports()[-1]["stats"]
    assert stats["fetch/host_skipped/retry_after"] == 1
    warned = [line for line in result.stderr.splitlines() if "FETCH_RETRY_AFTER_MAX" in line]
    assert len(warned) == 1 and "WARNING" in warned[0] and "Retry-After 100000 s" in warned[0]


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120", now) == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after_seconds(b"Fri, 01 May 2026 11:00:00 GMT", now) == 0.0  # past: at once
    assert retry_after_seconds(b"9" * 5000, now) == float("inf")
    for junk in (b"", None, b"soon", b"-5", "\u0662".encode()):
        assert retry_after_seconds(junk, now) is None
