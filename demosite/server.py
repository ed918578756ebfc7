"""HTTP side of the demo site: a keep-alive HTTP/1.1 server on 127.0.0.1 in a daemon thread."""
from __future__ import annotations

import hashlib
import logging
import signal
import socket
import socketserver
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from demosite import pages
from demosite.content import (
    AMP_SLUG,
    FBCLID,
    REDIRECT_SLUG,
    TRACKING_SLUG,
    build_content,
    published_by,
)
from demosite.editions import edition
from demosite.routes import Response, Router, accepts_gzip

logger = logging.getLogger(__name__)

CHUNK_SIZE = 4096


class PortUnavailable(OSError):
    """The port asked for cannot be bound: in use (another demo site?) or not allowed."""

    def __init__(self, host: str, port: int, err: OSError) -> None:
        super().__init__(err.errno, "cannot serve on %s:%d: %s" % (host, port, err.strerror or err))


@dataclass(frozen=True)
class ArticleInfo:
    """Ground truth about one article of a running demo site (absolute URLs)."""

    url: str
    title: str
    authors: list[str]
    published: str
    section: str
    template: str
    text: str
    inline_names: list[str]
    encoding: str
    alternate_urls: list[str]
    modified: str
    description: str
    tags: list[str]
    image: str
    language: str = "en"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Idle keep-alive connections are dropped after this many seconds.
    timeout = 30
    server: _Server

    def version_string(self) -> str:
        return "nginx/1.24.0"

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _not_modified(self, response: Response) -> bool:
        """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
        if response.status != 200:
            return False
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            weak = response.etag.removeprefix("W/")
            return any(t.strip().removeprefix("W/") in (weak, "*") for t in tags.split(","))
        since, modified = self.headers.get("If-Modified-Since"), response.header("Last-Modified")
        if since and modified:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _respond(self, send_body: bool) -> None:
        response: Response = self.server.router.route(self.path)
        if self._not_modified(response):
            self.send_response(304, "Not Modified")
            self.send_header("ETag", response.etag)
            for name, value in response.headers:
                if name.lower() in ("last-modified", "cache-control"):
                    self.send_header(name, value)
            self.end_headers()
            return
        body = response.body
        encoded = response.gzip and accepts_gzip(self.headers.get("Accept-Encoding"))
        if encoded:
            body = response.gzipped()
        self.send_response(response.status, response.reason)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status == 200 and response.header("ETag") is None:
            self.send_header("ETag", response.etag)
        if response.gzip:
            self.send_header("Vary", "Accept-Encoding")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if not response.chunked:
            self.wfile.write(body)
            return
        for start in range(0, len(body), CHUNK_SIZE):
            chunk = body[start:start + CHUNK_SIZE]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        self.router: Router  # set by DemoSite once the port is known
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) we neither need nor want.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are normal for a crawler test server.
        logger.debug("error serving %s: %s", client_address, sys.exc_info()[1])

    def drop_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections so they finish."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class DemoSite:
    """The demo news site served on 127.0.0.1 in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 published_until: datetime | None = None, changed_template: str | None = None,
                 edition: int = 0) -> None:
        """`changed_template`: a section slug whose articles are served by a relaunched template
        without byline and dates; `edition`: N later editions, each 3 more stories a section."""
        sections = [s.slug for s in build_content().sections]
        if changed_template is not None and changed_template not in sections:
            raise ValueError("no section %r on the demo site (it has %s)"
                             % (changed_template, ", ".join(sections)))
        if edition < 0:
            raise ValueError("edition must not be negative, not %d" % edition)
        self.host = host
        self.port = port
        self.published_until = published_until
        self.changed_template = changed_template
        self.edition = edition
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def publish_until(self, moment: datetime | None) -> None:
        """Show the site as it stood at `moment` (None: everything), e.g. between two crawls."""
        self.published_until = moment
        if self._httpd is not None:
            self._httpd.router = self._make_router()

    def change_template(self, section: str | None, edition: int | None = None) -> None:
        """Serve `section`'s articles with the relaunched template from now on (None: as usual),
        and optionally move to another edition, e.g. between two crawls."""
        self.changed_template = section
        self.edition = self.edition if edition is None else edition
        if self._httpd is not None:
            self._httpd.router = self._make_router()

    def _make_router(self) -> Router:
        content = edition(self.edition)
        if self.published_until is not None:
            content = published_by(content, self.published_until)
        return Router(self.url, content, self.changed_template)

    def start(self) -> DemoSite:
        """Bind the port and serve in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            return self
        try:
            httpd = _Server((self.host, self.port))
        except OSError as err:
            raise PortUnavailable(self.host, self.port, err) from err
        self.port = httpd.server_address[1]
        httpd.router = self._make_router()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"demosite-{self.port}", daemon=True)
        self._thread.start()
        logger.debug("demo site serving at %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and release the port."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.drop_connections()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:8080/``."""
        if not self.port:
            raise RuntimeError("DemoSite is not started")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted with Ctrl-C."""
        self.start()
        assert self._thread is not None
        try:
            # sleep, not join(timeout): Ctrl-C arriving inside Thread.join can leave the thread's
            # state lock held, and the join in stop() then never returns (seen once under load)
            while self._thread.is_alive():
                time.sleep(0.2)
        except KeyboardInterrupt:
            logger.info("demo site interrupted")
        finally:
            self.stop()

    @property
    def router(self) -> Router:
        if self._httpd is None:
            raise RuntimeError("DemoSite is not started")
        return self._httpd.router

    def _abs(self, path: str) -> str:
        return self.url.rstrip("/") + path

    def manifest(self, requisites: bool = False) -> dict[str, dict[str, Any]]:
        """Expected captures, in warc_check.py's ``--manifest`` format, keyed by absolute URL.

        Pages, feeds, sitemaps, the redirect and the 404; with ``requisites``, also every
        stylesheet, font, script, icon and image those pages reference.
        """
        paths = self.router.manifest_paths()
        if requisites:
            paths += self.router.requisite_paths()
        out = {}
        for path in paths:
            response = self.router.route(path)
            out[self._abs(path)] = {
                "sha256": hashlib.sha256(response.body).hexdigest(),
                "status": response.status,
                "reason": response.reason,
                "headers": [["Content-Type", response.content_type],
                            *([name, value] for name, value in response.headers)],
            }
        return out

    def articles(self) -> list[ArticleInfo]:
        """Ground truth for every article, newest first."""
        router = self.router
        out = []
        for a in router.content.articles:
            alternates = []
            if a.slug == AMP_SLUG:
                alternates.append(self._abs(f"/amp/{a.slug}/"))
            if a.slug == REDIRECT_SLUG:
                alternates.append(self._abs(f"/old/{a.slug}"))
            if a.slug == TRACKING_SLUG:
                alternates += [self._abs(f"{a.path}?{pages.TRACKING_QUERY}"),
                               self._abs(f"{a.path}?fbclid={FBCLID}")]
            out.append(ArticleInfo(
                url=self._abs(a.path), title=a.title, authors=[p.name for p in a.authors],
                published=a.published.isoformat(), section=a.section.name,
                template="relaunch" if a.section.slug == router.changed_template else a.template,
                text=a.text, inline_names=list(a.inline_names), encoding=a.encoding,
                alternate_urls=alternates, modified=a.modified.isoformat(),
                description=a.description, tags=list(a.tags), image=self._abs(a.image_path)))
        return out

    def requisite_urls(self) -> list[str]:
        """Every page requisite the site's pages reference (stylesheets, the font they import,
        the masthead tile, script, icon, lead images and their srcset variants)."""
        return [self._abs(p) for p in self.router.requisite_paths()]

    def private_urls(self) -> list[str]:
        """URLs under robots.txt's ``Disallow: /private/``; served, but never to be fetched."""
        return [self._abs(p) for p in pages.PRIVATE_PATHS]

    def non_article_urls(self) -> list[str]:
        """Home, section fronts and their pages, tag, author and topic pages, about."""
        return [self._abs(p) for p in self.router.non_article_paths()]

    def missing_url(self) -> str:
        """The linked URL that answers 404."""
        return self._abs(pages.MISSING_PATH)

    def redirect_url(self) -> str:
        """The linked URL that answers 301 to an article."""
        return self._abs(f"/old/{REDIRECT_SLUG}")


def main_serve(port: int = 0, changed_template: str | None = None, edition: int = 0) -> int:
    """Serve the demo site in the foreground for ``newsarchive demo-site``; 0 after Ctrl-C, 1 if
    the port cannot be had or the section is unknown."""
    # Ctrl-C is how this command ends, whatever its parent left behind: a process started
    # with SIGINT ignored or blocked inherits that (a test run on a loaded machine once did)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        site = DemoSite(port=port, changed_template=changed_template, edition=edition).start()
    except PortUnavailable as err:
        sys.stderr.write("newsarchive demo-site: %s (choose another with --port)\n" % err.strerror)
        return 1
    except ValueError as err:
        sys.stderr.write("newsarchive demo-site: %s\n" % err)
        return 1
    sys.stdout.write(f"demo site: {site.url}\n")
    sys.stdout.flush()
    site.serve_forever()
    return 0
