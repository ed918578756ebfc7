"""A resumed crawl fetches no article the collection already holds: killed (SIGKILL) after some
articles were written, or stopped with a saved frontier that holds a request for an article written
meanwhile, then `--resume`d, no article is fetched again and each is exported once."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO, crawl, run_newsarchive
from tests.held_site import HeldSite
from tests.hostile_server import HostileServer, article, page

WRITTEN = 6  # articles written as items before the kill


class Running:
    """`newsarchive crawl` in a child process, its stderr read as it comes."""

    def __init__(self, site_url: str, root: Path, collection: str, *extra: str) -> None:
        self.path = root / collection
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", site_url, "--root", str(root), "--collection", collection,
             "--allow-private", *extra],
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.err: list[str] = []
        self._reader = threading.Thread(target=self.err.extend, args=(self.proc.stderr,))
        self._reader.start()

    def wait_for(self, predicate, what: str, seconds: float = 300) -> None:  # type: ignore[no-untyped-def]
        """Until `predicate()`; the crawl cannot end meanwhile (a page of it is held)."""
        deadline = time.monotonic() + seconds
        while not predicate():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.finish()
                raise AssertionError("no %s (exit %s): %s" % (what, self.proc.returncode, "".join(self.err)[-3000:]))
            time.sleep(0.05)

    def finish(self) -> int:
        code = self.proc.wait(timeout=180)
        self._reader.join()
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        return code


def item_urls(collection: Path) -> list[str]:
    """The URLs of the items written so far (a line being written is not one yet)."""
    urls = []
    for path in collection.glob("items/*.jsonl"):
        for line in path.read_text().splitlines():
            try:
                urls.append(json.loads(line)["url"])
            except json.JSONDecodeError:
                continue
    return urls


def captures(collection: Path) -> Counter[str]:
    """How many times each URL was captured (response or revisit records), over every WARC."""
    found: Counter[str] = Counter()
    for path in sorted((collection / "archive").glob("*.warc.gz*")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    found[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return found


def exported_urls(collection: Path) -> Counter[str]:
    exported = run_newsarchive("export", str(collection))
    assert exported.returncode == 0, exported.stderr
    return Counter(json.loads(line)["url"] for line in exported.stdout.splitlines())


def test_a_crawl_killed_then_resumed_captures_each_article_once(tmp_path: Path) -> None:
    """The kill leaves a frontier without its index: the resume starts from the seeds, and the
    spider skips the articles already written; those held in flight are fetched then."""
    collection = tmp_path / "k"
    with HeldSite() as site:
        site.hold(after=WRITTEN, articles=True)  # the seventh article page waits, and all after it
        first = Running(site.url, tmp_path, "k", "-s", "CONCURRENT_REQUESTS=4")
        try:
            first.wait_for(site.is_held, "request held at the gate")
            first.wait_for(lambda: len(item_urls(collection)) >= WRITTEN, "%d items" % WRITTEN)
        finally:
            first.proc.send_signal(signal.SIGKILL)
            first.finish()
        assert len(item_urls(collection)) == WRITTEN
        site.release()
        resumed = crawl(site.url, tmp_path, "k", "--resume")
        articles = site.article_urls()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    captured = captures(collection)
    assert {url: captured[url] for url in articles if captured[url] != 1} == {}
    exported = exported_urls(collection)
    assert {url: exported[url] for url in articles if exported[url] != 1} == {}


# A site where the frontier saved at a stop holds a request for an article written meanwhile:
# / links /copy, which names /story its canonical URL (so its item is /story's) and links /story.
# /story is held until the crawl has taken its stop, then answers 503: Scrapy's retry middleware
# queues it again, and the stopping crawl saves it in its frontier.
STORY = article("Night ferry returns to the islands", 2)
COPY = STORY.replace(b"</head>", b"<link rel='canonical' href='/story'></head>").replace(
    b"</body>", b"<p><a href='/story'>story</a></p></body>")
HOME = b"<html><body><a href='/copy'>copy</a></body></html>"
CLOSE = [(b"Connection", b"close")]


class CanonicalSite:
    """The routes of that site, /story held until release()."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.routes = {"/": self.home, "/copy": self.copy, "/story": self.story}

    def home(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(HOME, extra=CLOSE))

    def copy(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(COPY, extra=CLOSE))

    def story(self, server: HostileServer, conn: socket.socket, request: bytes) -> None:
        if self.released.wait(300) and server.requested("/story") == 1:
            conn.sendall(page(b"<html><body>busy</body></html>", status="503 Service Unavailable", extra=CLOSE))
        else:
            conn.sendall(page(STORY, extra=CLOSE))


def test_a_resumed_crawl_does_not_fetch_an_article_its_collection_came_to_hold(tmp_path: Path) -> None:
    site = CanonicalSite()
    collection = tmp_path / "c"
    one_at_a_time = ("-s", "CONCURRENT_REQUESTS=1", "-s", "DISCOVERY_PROBE=false", "-s", "DOWNLOAD_DELAY=0",
                     "-s", "AUTOTHROTTLE_ENABLED=false")
    with HostileServer(routes=site.routes) as server:
        story = server.url + "story"
        first = Running(server.url, tmp_path, "c", *one_at_a_time, "-v")
        try:
            first.wait_for(lambda: server.requested("/story") == 1, "request for /story")
            first.wait_for(lambda: item_urls(collection) == [story], "the item of /copy")
            first.proc.send_signal(signal.SIGTERM)
            first.wait_for(lambda: "shutting down gracefully" in "".join(first.err), "graceful shutdown")
        finally:
            site.released.set()  # a graceful stop waits for /story; its retry is queued, not sent
            code = first.finish()
        assert code == 130, "".join(first.err)[-3000:]
        assert (collection / "state" / "jobdir" / "requests.queue" / "active.json").is_file()
        resumed = crawl(server.url, tmp_path, "c", "--resume", *one_at_a_time, "-v")
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert server.requested("/story") == 1  # the 503 only
    assert exported_urls(collection) == Counter({story: 1})
    report = resumed.reports()[-1]
    assert report["stats"]["resume/known_article"] == 1
    assert "resumed crawl: requests of the saved frontier for articles the collection already holds, not " \
           "fetched again: 1 (resume/known_article)" in resumed.stderr


def test_a_redirect_to_an_article_the_collection_holds_is_not_followed(tmp_path: Path) -> None:
    """A link to an alias not known yet (/old) redirects to an article archived by an earlier run:
    the 301 is archived (and makes /old an alias), the article is not fetched again."""
    links = {"home": b"<html><body><a href='/story'>story</a></body></html>"}

    def home(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(links["home"], extra=CLOSE))

    def old(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(b"", status="301 Moved Permanently", extra=CLOSE + [(b"Location", b"/story")]))

    def story(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(STORY, extra=CLOSE))

    quick = ("-s", "DISCOVERY_PROBE=false", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false")
    with HostileServer(routes={"/": home, "/old": old, "/story": story}) as server:
        first = crawl(server.url, tmp_path, "r", *quick)
        assert first.returncode == 0, first.stderr[-3000:]
        links["home"] = b"<html><body><a href='/old'>old</a></body></html>"
        second = crawl(server.url, tmp_path, "r", *quick)
        assert second.returncode == 0, second.stderr[-3000:]
        assert (server.requested("/old"), server.requested("/story")) == (1, 1)
    assert second.reports()[-1]["stats"]["discovery/redirect_known_article"] == 1
    assert exported_urls(tmp_path / "r") == Counter({server.url + "story": 1})
