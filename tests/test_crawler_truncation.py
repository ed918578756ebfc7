"""Bodies cut by DOWNLOAD_MAXSIZE or the download timeout: archived as WARC-Truncated, not pages."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError
from warcio.archiveiterator import ArchiveIterator

from archive.store import Store
from archive.warc import WarcWriter
from crawler.capture import CaptureMiddleware
from crawler.download import TRUNCATED_META_KEY, TruncatedDownload, WireCapture
from tests.conftest import REPO, CrawlResult, crawl, run_newsarchive, warc_check
from tests.hostile_server import ARTICLE, BIG, BIG_GZIP, STALL_PART, HostileServer

MAXSIZE = 50_000
# path -> (WARC-Truncated, what the server sent of the entity body, Content-Length it announced)
CUT = {
    "big-length": ("length", BIG, b"200000"),
    "big-chunked": ("length", BIG, None),
    "big-close": ("length", BIG, None),
    "big-gzip": ("length", BIG_GZIP, None),
    "stall": ("time", STALL_PART, b"10000"),
}


@pytest.fixture(scope="module")
def cut_crawl(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("truncation")
    with HostileServer() as server:
        result = crawl(server.url + "truncation/", root, "t", "-s", "DOWNLOAD_TIMEOUT=3",
                       "-s", "DOWNLOAD_MAXSIZE=%d" % MAXSIZE, "-s", "RETRY_TIMES=0")
        yield server, result


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def records(result: CrawlResult) -> list[tuple[str, dict[str, str], bytes, bytes]]:
    """(type, WARC headers, HTTP head as stored, payload as stored) of every request/response."""
    out = []
    for path in sorted((result.path / "archive").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                if record.rec_type in ("request", "response"):
                    block = record.raw_stream.read()
                    head, _, payload = block.partition(b"\r\n\r\n")
                    out.append((record.rec_type, dict(record.rec_headers.headers), head, payload))
    return out


def test_cut_downloads_fail_and_the_crawl_goes_on(cut_crawl) -> None:
    server, result = cut_crawl
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [item["url"] for item in result.items()] == [server.url + "article"]
    (report,) = result.reports()
    assert report["stats"]["fetch/truncated/length"] == 4
    assert report["stats"]["fetch/truncated/time"] == 1
    assert report["errors"]["fetch"] == 5  # each still a failed download, as in Scrapy
    # a warning once per site and cause (crawler/logs.py): big-chunked, big-close and big-gzip
    # share theirs (the body grew past the limit), so whichever was cut first is named
    lines = [line for line in result.stderr.splitlines() if "cut short" in line]
    for paths in (["big-length"], ["stall"], ["big-chunked", "big-close", "big-gzip"]):
        said = [line for line in lines if any(server.url + path + " " in line for path in paths)]
        assert len(said) == 1, (paths, lines)
        reason = CUT[paths[0]][0]
        assert " WARNING " in said[0] and "WARC-Truncated: " + reason in said[0]
    assert len(lines) == 3, lines


def test_what_came_is_archived_marked_and_digested(cut_crawl) -> None:
    server, result = cut_crawl
    found = records(result)
    requests = {fields["WARC-Concurrent-To"]: fields for kind, fields, _, _ in found if kind == "request"}
    for path, (reason, sent, announced) in CUT.items():
        (response,) = [r for r in found if r[0] == "response" and r[1]["WARC-Target-URI"] == server.url + path]
        _, fields, head, payload = response
        assert fields["WARC-Truncated"] == reason, path
        assert sent.startswith(payload), path
        assert len(payload) == (MAXSIZE if reason == "length" else len(STALL_PART)), path
        assert fields["WARC-Payload-Digest"] == sha1_b32(payload)
        assert fields["WARC-Block-Digest"] == sha1_b32(head + b"\r\n\r\n" + payload)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        # the announced length no longer claims bytes that are not stored (replay would hang)
        assert not re.search(rb"(?im)^content-length:", head), path
        if announced is not None:
            assert b"\r\nX-Archive-Orig-Content-Length: " + announced in head
        assert requests[fields["WARC-Record-ID"]]["WARC-Target-URI"] == server.url + path
    (article,) = [r for r in found if r[0] == "response" and r[1]["WARC-Target-URI"] == server.url + "article"]
    assert "WARC-Truncated" not in article[1]


def test_checker_finds_no_failure_and_pywb_replays_the_rest(cut_crawl) -> None:
    server, result = cut_crawl
    proc = warc_check(str(result.path / "archive"), "--replay")
    assert proc.stdout.strip().splitlines()[-1].endswith(" 0 failures"), proc.stdout[-3000:]
    assert re.search(r"d\.replay +pass +\d+ +fail +0", proc.stdout), proc.stdout[-3000:]
    # the one warning left is inherent: a gzip body cut short cannot be decompressed whole
    warned = re.findall(r"^ +- \S+ response (\S+)", proc.stdout, re.MULTILINE)
    assert warned == [server.url + "big-gzip"], proc.stdout[-3000:]


def test_replay_skips_truncated_records_and_counts_them(cut_crawl) -> None:
    server, result = cut_crawl
    proc = run_newsarchive("replay", "t", "--root", str(result.root), "--collection", "t-replay")
    assert proc.returncode == 0, proc.stderr
    replayed = CrawlResult(result.root, "t-replay", proc.returncode, proc.stdout, proc.stderr)
    assert [item["url"] for item in replayed.items()] == [server.url + "article"]
    (report,) = replayed.reports()
    assert report["stats"]["replay/skipped/truncated record"] == len(CUT)
    assert report["errors"]["extract"] == 0


def test_index_lists_truncated_captures(cut_crawl) -> None:
    server, result = cut_crawl
    index = result.path / "indexes" / "index.cdxj"
    after_crawl = index.read_text()
    proc = run_newsarchive("index", "t", "--root", str(result.root))
    assert proc.returncode == 0, proc.stderr
    assert index.read_text() == after_crawl
    lines = [json.loads(line.split(" ", 2)[2]) for line in after_crawl.splitlines()]
    by_url = {entry["url"]: entry for entry in lines}
    for path in CUT:
        assert by_url[server.url + path]["status"] == "200", path


PER_REQUEST_SPIDER = '''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

class Probe(scrapy.Spider):
    name = "probe"
    seen = {}

    async def start(self):
        for path, limit in (("big-length", 1000), ("big-close", 2000), ("article", 100000),
                            ("big-stall", 50000), ("short", 1000)):
            yield scrapy.Request(sys.argv[1] + path, meta={"download_maxsize": limit},
                                 callback=self.done, errback=self.failed, dont_filter=True)

    def done(self, response):
        Probe.seen[response.url] = {"body": len(response.body)}

    def failed(self, failure):
        cut = failure.request.meta.get("archive_truncated")
        Probe.seen[failure.request.url] = {
            "error": type(failure.value).__name__,
            "cut": [cut.reason, len(cut.body), cut.status] if cut else None}

process = CrawlerProcess({
    "DOWNLOAD_HANDLERS": {"http": "crawler.download.CapturingHTTP11DownloadHandler"},
    "DOWNLOAD_MAXSIZE": 10_000_000, "DOWNLOAD_TIMEOUT": 2, "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
})
process.crawl(Probe)
process.start()
print(json.dumps(Probe.seen))
'''


def test_a_requests_own_download_maxsize_cuts_it(tmp_path) -> None:
    """The handler alone, in a bare Scrapy crawl: `download_maxsize` in meta is the limit, and a
    body announced too big fails as Scrapy fails it (cancelled, not retried) however it ends.

    Each end is decided by one side alone: the stall by the client's timeout, the hang-up by the
    server (/short closes at once). /huge, which waits for the client to hang up, was left out:
    whether its cut is "time" or "disconnect" raced with the timeout and flipped on a loaded machine.
    """
    script = tmp_path / "probe.py"
    script.write_text(PER_REQUEST_SPIDER)
    with HostileServer() as server:
        proc = subprocess.run([sys.executable, str(script), server.url], capture_output=True, text=True,
                              timeout=120, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen == {
        server.url + "big-length": {"error": "DownloadCancelledError", "cut": ["length", 1000, 200]},
        server.url + "big-close": {"error": "DownloadCancelledError", "cut": ["length", 2000, 200]},
        server.url + "article": {"body": len(ARTICLE)},
        server.url + "big-stall": {"error": "DownloadCancelledError", "cut": ["time", len(STALL_PART), 200]},
        server.url + "short": {"error": "DownloadCancelledError", "cut": ["disconnect", 100, 200]},
    }


# -- the capture middleware on its own ---------------------------------------------------------
class Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: object) -> None:
        self.values[key] = value


def cut_request(ip_address: str) -> Request:
    request = Request("http://news.example/big")
    request.meta[TRUNCATED_META_KEY] = TruncatedDownload(
        url=request.url,
        wire=WireCapture(b"GET /big HTTP/1.1\r\nHost: news.example\r\n\r\n",
                         b"HTTP/1.1 200 OK\r\nContent-Length: 9000\r\nContent-Type: text/html\r\n\r\n",
                         "HTTP/1.1"),
        status=200, body=b"<html><p>the start", reason="length", detail="too big",
        ip_address=ip_address)
    return request


def test_capture_archives_a_cut_download_apart_from_the_store(tmp_path) -> None:
    store = Store(str(tmp_path / "store.sqlite"))
    stats = Stats()
    middleware = CaptureMiddleware(WarcWriter(str(tmp_path / "archive")), stats, store, "run-1",
                                   allow_private=False)
    request = cut_request("93.184.216.34")

    assert middleware.process_exception(request, DownloadCancelledError("too big")) is None

    middleware.close()
    assert TRUNCATED_META_KEY not in request.meta
    assert stats.values["fetch/truncated/length"] == 1
    (path,) = (tmp_path / "archive").glob("*.warc.gz")
    with open(path, "rb") as fh:
        (response,) = [(r.rec_headers, r.http_headers, r.raw_stream.read())
                       for r in ArchiveIterator(fh) if r.rec_type == "response"]
    warc_headers, http_headers, payload = response
    assert warc_headers.get_header("WARC-Truncated") == "length"
    assert http_headers.get_header("X-Archive-Orig-Content-Length") == "9000"
    assert http_headers.get_header("Content-Length") is None
    assert payload == b"<html><p>the start"
    # not the page: no later capture may become a revisit of it or be asked "modified since"
    assert store.payload(sha1_b32(b"<html><p>the start")) is None
    assert store.validator(request.url) is None
    store.close()


def test_capture_keeps_a_cut_download_from_a_private_peer_out(tmp_path) -> None:
    stats = Stats()
    middleware = CaptureMiddleware(WarcWriter(str(tmp_path / "archive")), stats, allow_private=False)

    middleware.process_exception(cut_request("10.1.2.3"), DownloadCancelledError("too big"))

    middleware.close()
    assert stats.values == {"fetch/truncated/length": 1, "fetch/refused_private": 1,
                            "archive/run_files": []}
