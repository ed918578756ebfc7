"""The demo site's pages on 127.0.0.1 behind a gate the test holds: a crawl that is sent a signal
while a request of it waits at the gate is surely mid-run, however fast or loaded the machine.

    with HeldSite() as site:
        site.hold(after=5, articles=True)   # 5 article pages go through, then every request waits
        crawl = start_a_crawl(site.url)
        site.wait_until_held(crawl)         # the crawl is waiting for a page: it cannot have ended
        crawl.send_signal(...)
        site.release()                      # the held requests are answered, the gate stays open

No sleeping anywhere: the test waits on the server's condition. A graceful stop waits for the
requests in flight, so a test lets them go only once the crawl has taken its signal (Scrapy's
"shutting down gracefully" line, which SignalBeacon shows in a crawl that logs only warnings).
"""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demosite.routes import Router


@dataclass
class _Gate:
    """One hold: `passes` more requests (or article pages) go through, then every request waits."""

    passes: int
    articles_only: bool
    waiting: int = 0  # requests held now
    open: bool = False


class HeldSite:
    """The demo site's pages, links and robots.txt (its router), served plainly (no gzip, chunks or
    304s: what these tests need is the gate) on 127.0.0.1, one thread per request."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._gate: _Gate | None = None  # None: every request is answered at once
        self.served = 0  # requests answered, all told
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site._pass_gate(self.path)
                response = site.router.route(self.path)
                self.send_response(response.status, response.reason)
                self.send_header("Content-Type", response.content_type)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
                with site._changed:
                    site.served += 1
                    site._changed.notify_all()

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a killed crawl's held requests are answered into closed sockets

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.router = Router(self.url)
        self._article_paths = {a.path for a in self.router.content.articles}

    def __enter__(self) -> HeldSite:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()  # nothing left waiting, whatever the test did
        self.server.shutdown()
        self.server.server_close()

    def article_urls(self) -> set[str]:
        return {self.url.rstrip("/") + path for path in self._article_paths}

    def hold(self, after: int = 0, *, articles: bool = False) -> None:
        """Let `after` more requests (with `articles`: article pages) through, then hold every
        later request until release(). Requests held by an earlier hold are let go."""
        with self._changed:
            if self._gate is not None:
                self._gate.open = True
            self._gate = _Gate(after, articles)
            self._changed.notify_all()

    def release(self) -> None:
        """Answer every held request; later requests pass too, until the next hold()."""
        with self._changed:
            if self._gate is not None:
                self._gate.open = True
            self._gate = None
            self._changed.notify_all()

    def is_held(self) -> bool:
        """Does a request wait at the gate of the current hold?"""
        with self._changed:
            return self._gate is not None and self._gate.waiting > 0

    def wait_until_held(self, proc: subprocess.Popen, seconds: float = 300) -> None:
        """Wait until a request of the crawl waits at the gate: from then until release() the crawl
        is running. AssertionError if `proc` (the crawl, or what runs it) ends first."""
        deadline = time.monotonic() + seconds
        with self._changed:
            gate = self._gate
            assert gate is not None, "hold() first"
            while not gate.waiting:
                if proc.poll() is not None:
                    raise AssertionError("the crawl ended (exit %s) before a request was held; %d answered"
                                         % (proc.returncode, self.served))
                if time.monotonic() > deadline:
                    raise AssertionError("no request was held within %d s" % seconds)
                self._changed.wait(0.1)  # and look at the process again

    def _pass_gate(self, target: str) -> None:
        with self._changed:
            gate = self._gate
            if gate is None or gate.open:
                return
            if gate.passes > 0:
                if target in self._article_paths or not gate.articles_only:
                    gate.passes -= 1
                return
            gate.waiting += 1
            self._changed.notify_all()
            while not gate.open:
                self._changed.wait()
            gate.waiting -= 1


class SignalBeacon:
    """A Scrapy extension for tests (EXTENSIONS): Scrapy's "Received SIGTERM, shutting down
    gracefully" line on stderr even in a crawl that logs only warnings (one a scheduler runs).
    Scrapy queues its graceful stop right after that line: when a test reads it, the crawl will
    stop after the requests in flight, however soon they are answered."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SignalBeacon:
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(lambda record: "shutting down gracefully" in record.getMessage())
        log = logging.getLogger("scrapy.crawler")
        log.addHandler(handler)
        log.setLevel(logging.INFO)  # the crawl's own handlers still drop its other INFO lines
        return cls()
