"""A disk that fills up: no record or item line is ever left torn in the middle of a file, the crawl
stops with one line naming the cause, and `--resume` finishes once there is space again.

Real failures only: a file-size limit (RLIMIT_FSIZE, EFBIG) in a child process for the writers, a
size-capped tmpfs for a whole crawl (skipped, with the reason, where this machine lets no one mount),
and Scrapy's saved frontier damaged as a full disk leaves it."""
from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.collection import Collection
from crawler.cli import main
from crawler.dupefilter import SEEN_FILE
from crawler.jobdir import QUEUE_DIR, STATE_FILE, queue_damage, seen_damage
from tests.conftest import REPO, CrawlResult, crawl, run_newsarchive, small_tmpfs
from tests.hostile_server import ARTICLE, HostileServer, bigpage, page

EFBIG_TEXT = os.strerror(27)  # "File too large": what a file-size limit says
NO_SPACE = os.strerror(28)  # "No space left on device"


def in_child_with_file_limit(code: str, limit: int) -> dict:
    """Run `code` in a Python child whose files may not pass `limit` bytes (writes past it fail with
    EFBIG, as on a full disk); the JSON it prints last."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), preexec_fn=limited, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warc_records(path: Path) -> list[str]:
    """Every record's type, read to the very end (warcio raises on a torn record)."""
    with open(path, "rb") as fh:
        return [record.rec_type for record in ArchiveIterator(fh, check_digests=True)]


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
def test_a_warc_write_that_fails_is_cut_off_and_the_file_ends_on_a_whole_record(tmp_path: Path, gzip: bool) -> None:
    result = in_child_with_file_limit("""
        import json, os
        from archive.warc import HttpExchange, WarcWriter
        from archive.writes import WriteFailed
        writer = WarcWriter(%r, gzip=%r, compress_level=0)
        body = os.urandom(9000)
        written, message = 0, ""
        try:
            for n in range(1000):
                writer.write_exchange(HttpExchange("http://example.org/%%d" %% n,
                    b"GET / HTTP/1.1\\r\\nHost: example.org\\r\\n\\r\\n", b"HTTP/1.1 200 OK\\r\\n\\r\\n", body))
                written += 1
        except WriteFailed as failure:
            message = str(failure)
        try:
            writer.write_exchange(HttpExchange("http://example.org/after", b"GET / HTTP/1.1\\r\\n\\r\\n",
                                               b"HTTP/1.1 200 OK\\r\\n\\r\\n", b"x"))
            again = ""
        except WriteFailed as failure:
            again = str(failure)
        closed = writer.close()
        print(json.dumps({"written": written, "message": message, "again": again, "closed": closed}))
    """ % (str(tmp_path), gzip), limit=100_000)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 1
    warc = files[0]
    assert 3 <= result["written"] < 1000
    assert result["message"] == "cannot write %s.open: %s" % (warc, EFBIG_TEXT)
    assert result["again"] == result["message"]  # a writer that failed takes no more records
    assert result["closed"] == [str(warc)]  # cut back to a whole record: closed as any other file
    assert warc_records(warc) == ["warcinfo"] + ["response", "request"] * result["written"]


def test_a_warc_file_that_cannot_even_start_leaves_nothing(tmp_path: Path) -> None:
    result = in_child_with_file_limit("""
        import json, os
        from archive.warc import HttpExchange, WarcWriter
        from archive.writes import WriteFailed
        writer = WarcWriter(%r, info={"software": os.urandom(3000).hex()})  # a warcinfo past the limit
        try:
            writer.write_exchange(HttpExchange("http://example.org/", b"GET / HTTP/1.1\\r\\n\\r\\n",
                                               b"HTTP/1.1 200 OK\\r\\n\\r\\n", b"x"))
            message = ""
        except WriteFailed as failure:
            message = str(failure)
        print(json.dumps({"message": message, "closed": writer.close()}))
    """ % str(tmp_path), limit=1000)
    assert result["message"].endswith(".warc.gz.open: %s" % EFBIG_TEXT)
    assert result["closed"] == []
    assert list(tmp_path.iterdir()) == []  # not even its warcinfo record got in


def test_an_item_line_that_fails_is_cut_back_and_no_torn_line_is_left(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(b'{"url": "http://example.org/before"}\n{"url": "http://example.org/to')  # a crash's torn line
    result = in_child_with_file_limit("""
        import json
        from archive.collection import ItemWriter
        from archive.writes import WriteFailed
        writer = ItemWriter(%r)
        message = ""
        try:
            for n in range(10000):
                writer.write({"url": "http://example.org/%%d" %% n, "text": "word " * 200})
        except WriteFailed as failure:
            message = str(failure)
        writer.close()
        print(json.dumps({"count": writer.count, "message": message}))
    """ % str(path), limit=60_000)
    assert result["message"] == "cannot write %s: %s" % (path, EFBIG_TEXT)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends on a whole line: the failed one was cut back
    assert lines[1] == b'{"url": "http://example.org/to'  # the old torn line was ended, not joined
    items = [json.loads(line) for line in lines[2:-1]]
    assert [i["url"] for i in items] == ["http://example.org/%d" % n for n in range(result["count"])]
    assert 10 < result["count"] < 10000


# -- the saved frontier ----------------------------------------------------------------------------

def saved_frontier(jobdir: Path, requests: int = 5) -> None:
    """A frontier as Scrapy saves it when a spider closes: per-slot LIFO queues and active.json."""
    from queuelib.queue import LifoDiskQueue
    from scrapy.pqueues import _path_safe

    slot = jobdir / QUEUE_DIR / _path_safe("127.0.0.1")
    slot.mkdir(parents=True)
    queue = LifoDiskQueue(str(slot / "0"))
    for n in range(requests):
        queue.push(b"request %d" % n * 10)
    queue.close()
    (jobdir / QUEUE_DIR / STATE_FILE).write_text(json.dumps({"127.0.0.1": [0]}))


def test_a_sound_frontier_is_sound(tmp_path: Path) -> None:
    saved_frontier(tmp_path)
    assert queue_damage(str(tmp_path)) is None
    assert queue_damage(str(tmp_path / "none-here")) is None


@pytest.mark.parametrize("damage,named", [
    ("empty-state", "active.json holds no queue state"),
    ("garbage-state", "active.json is unreadable"),
    ("no-state", "active.json is missing"),
    ("truncated-queue", "is cut short inside a request"),
    ("stale-count", "holds 5 requests but says 0"),
])
def test_a_damaged_frontier_is_found_and_named(tmp_path: Path, damage: str, named: str) -> None:
    saved_frontier(tmp_path)
    state = tmp_path / QUEUE_DIR / STATE_FILE
    (queue,) = (tmp_path / QUEUE_DIR).glob("*/0")
    if damage == "empty-state":
        state.write_bytes(b"")
    elif damage == "garbage-state":
        state.write_bytes(b"{\x00\x17")
    elif damage == "no-state":
        state.unlink()
    elif damage == "truncated-queue":
        data = queue.read_bytes()
        queue.write_bytes(data[:-7])
    elif damage == "stale-count":
        data = queue.read_bytes()
        queue.write_bytes(b"\0\0\0\0" + data[4:])
    found = queue_damage(str(tmp_path))
    assert found is not None and named in found, found


def test_a_damaged_seen_filter_is_found_and_named(tmp_path: Path) -> None:
    assert seen_damage(str(tmp_path)) is None
    (tmp_path / SEEN_FILE).write_bytes(b"this is no database, " * 400)
    found = seen_damage(str(tmp_path))
    assert found is not None and found.startswith("%s is unusable" % (tmp_path / SEEN_FILE)), found


# -- a whole crawl on a disk that fills up ------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MB tmpfs mounted for the test (skipped with the reason where mounting is not allowed): room
    for one crawl of the demo site (WARCs, items, the store and its write-ahead log) and a filler."""
    with small_tmpfs(tmp_path / "disk", "12m") as mount_point:
        yield mount_point


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]


def test_a_crawl_that_fills_the_disk_stops_in_one_line_and_resumes_once_there_is_space(
        demo_site, small_disk: Path) -> None:
    filler = small_disk / "filler"  # leaves 1.5 MB, not enough for a crawl: given back once the disk is full
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 1_500_000))
    stopped = crawl(demo_site.url, small_disk, "c", "-s", "ARCHIVE_COMPRESS_LEVEL=0")
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert_no_traceback(stopped.stderr)
    last = stopped.stderr.strip().splitlines()[-1]
    assert last.startswith("newsarchive crawl: cannot write %s/c/" % small_disk), last
    assert NO_SPACE in last and "--resume" in last, last
    collection = small_disk / "c"
    # every WARC ends on a whole record, or is .open and repair makes it so
    if any(collection.glob("archive/*.open")):
        shutil.rmtree(collection / "indexes", ignore_errors=True)  # room for repair's index
        filler.unlink()
        repaired = run_newsarchive("repair", "c", "--root", str(small_disk))
        assert repaired.returncode == 0, repaired.stderr
    for warc in collection.glob("archive/*.warc.gz"):
        assert warc_records(warc)[0] == "warcinfo"
    assert not list(collection.glob("archive/*.open"))
    # no torn line in the middle of an items file (the last line may only be whole)
    for items in collection.glob("items/*.jsonl"):
        data = items.read_bytes()
        assert not data or data.endswith(b"\n"), items
        for line in data.splitlines():
            json.loads(line)
    before = {json.loads(line)["url"] for f in collection.glob("items/*.jsonl") for line in f.read_bytes().splitlines()}

    if filler.exists():
        filler.unlink()
    resumed = crawl(demo_site.url, small_disk, "c", "--resume", "-s", "ARCHIVE_COMPRESS_LEVEL=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_no_traceback(resumed.stderr)
    after = {json.loads(line)["url"] for f in collection.glob("items/*.jsonl") for line in f.read_bytes().splitlines()}
    assert before <= after
    assert len(after) == len(demo_site.articles())  # nothing lost: every article is archived once
    assert resumed.reports()[-1]["outcome"] == "finished"


def test_a_frontier_scrapy_saved_is_sound_and_one_cut_short_is_not(tmp_path: Path) -> None:
    gate = threading.Event()
    links = "".join('<a href="/a%d">story %d</a> ' % (n, n) for n in range(30))
    home = ("<html><body>%s</body></html>" % links).encode()

    def listing(server: HostileServer, conn, request: bytes) -> None:
        conn.sendall(page(home, extra=[(b"Connection", b"close")]))

    def held(server: HostileServer, conn, request: bytes) -> None:  # the crawl waits here until let go
        gate.wait(120)
        conn.sendall(page(ARTICLE, extra=[(b"Connection", b"close")]))

    root = tmp_path / "collections"
    routes = {"/": listing, **{"/a%d" % n: held for n in range(30)}}
    with HostileServer(routes=routes) as server:
        running = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", server.url, "--root", str(root), "--collection", "c",
             "--allow-private", "-s", "CONCURRENT_REQUESTS=1"], cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while not any(server.requested("/a%d" % n) for n in range(30)):  # the rest wait in its queue
                assert running.poll() is None, running.communicate()
                assert time.monotonic() < deadline, "the crawl never got to the stories"
                time.sleep(0.05)
            running.send_signal(signal.SIGTERM)
        finally:
            gate.set()
            running.communicate(timeout=300)
    assert running.returncode == 130
    jobdir = root / "c" / "state" / "jobdir"
    assert (jobdir / QUEUE_DIR / STATE_FILE).is_file()
    assert queue_damage(str(jobdir)) is None
    (lifo,) = (jobdir / QUEUE_DIR).glob("*/0")  # the links found, each after its bytes
    (fifo,) = (jobdir / QUEUE_DIR).glob("*/0s/q00000")  # the seeds, each after its length
    for queue in (lifo, fifo):
        whole = queue.read_bytes()
        queue.write_bytes(whole[:-30])
        assert "%s is cut short" % queue in (queue_damage(str(jobdir)) or ""), queue
        queue.write_bytes(whole)
    assert queue_damage(str(jobdir)) is None


def test_resume_rebuilds_a_frontier_left_damaged(demo_site, tmp_path: Path) -> None:
    root = tmp_path / "collections"
    first = crawl(demo_site.url, root, "c", "--max-pages", "5")
    assert first.returncode == 0, first.stderr
    jobdir = root / "c" / "state" / "jobdir"
    (jobdir / QUEUE_DIR).mkdir(parents=True, exist_ok=True)
    (jobdir / QUEUE_DIR / STATE_FILE).write_bytes(b"")  # what a full disk leaves when the spider closes
    resumed = crawl(demo_site.url, root, "c", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_no_traceback(resumed.stderr)
    assert "saved frontier is damaged: %s holds no queue state" % (jobdir / QUEUE_DIR / STATE_FILE) in resumed.stderr
    urls = [i["url"] for i in resumed.items()]
    assert len(urls) == len(set(urls)) == len(demo_site.articles())


def test_index_on_a_full_disk_is_one_line(demo_crawl, small_disk: Path, capsys) -> None:
    shutil.copytree(demo_crawl.path / "archive", small_disk / "c" / "archive")
    Collection.create(str(small_disk), "c")
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 4096))
    assert main(["index", "c", "--root", str(small_disk)]) == 1
    err = capsys.readouterr().err
    assert_no_traceback(err)
    assert err.strip() == "newsarchive index: cannot write %s: %s" % (
        small_disk / "c" / "indexes" / "index.cdxj", NO_SPACE)


def test_repair_on_a_full_disk_is_one_line_and_keeps_what_it_closed(demo_crawl, small_disk: Path, capsys) -> None:
    collection = small_disk / "c"
    shutil.copytree(demo_crawl.path / "archive", collection / "archive")
    with Collection.create(str(small_disk), "c").store():
        pass  # a store to open: a new one cannot be made on a full disk
    (warc,) = collection.glob("archive/*.warc.gz")
    data = warc.read_bytes()
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" * 100)[:-20]  # a crash's record cut short
    Path(str(warc) + ".open").write_bytes(data + torn)
    warc.unlink()
    # room for the store to open (its shared-memory file and log), none for the index (~50 KB, twice)
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 80_000))
    assert main(["repair", "c", "--root", str(small_disk)]) == 1
    err = capsys.readouterr().err
    assert_no_traceback(err)
    assert err.strip().splitlines()[-1] == "newsarchive repair: cannot write %s: %s" % (
        collection / "indexes" / "index.cdxj", NO_SPACE)  # after the line naming what it closed
    assert warc.read_bytes() == data  # closed at its last whole record before the index failed


def test_replay_on_a_full_disk_is_one_line_and_keeps_what_it_wrote(demo_crawl, small_disk: Path) -> None:
    Collection.create(str(small_disk), "r")
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 200_000))
    proc = run_newsarchive("replay", str(demo_crawl.path / "archive"), "--collection", "r",
                           "--root", str(small_disk))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert_no_traceback(proc.stderr)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("newsarchive replay: ") and NO_SPACE in last, last
    for items in (small_disk / "r" / "items").glob("*.jsonl"):
        data = items.read_bytes()
        assert not data or data.endswith(b"\n")
        for line in data.splitlines():
            json.loads(line)


# -- one writer of a crawl that fails: the page in flight is dropped, the run stops in one line --------

def crawl_with_file_limit(site_url: str, root: Path, limit: int, *extra: str) -> CrawlResult:
    """A crawl in a child whose files may not pass `limit` bytes: only the files that grow past it fail."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", site_url, "--root", str(root), "--collection", "c",
         "--allow-private", *extra], cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True, text=True, preexec_fn=limited, timeout=300)
    return CrawlResult(root, "c", proc.returncode, proc.stdout, proc.stderr)


def test_a_warc_write_that_fails_drops_the_pages_in_flight_and_no_fetch_fails(tmp_path: Path) -> None:
    links = "".join('<a href="/big%d">page %d</a> ' % (n, n) for n in range(40))
    home = ("<html><body>%s</body></html>" % links).encode()
    routes = {"/": lambda server, conn, request: conn.sendall(page(home))}
    for n in range(40):  # 200 KB each, all different: the WARC grows past the limit long before any other file
        body = b"<!-- page %d -->" % n + bigpage(200_000)
        routes["/big%d" % n] = lambda server, conn, request, body=body: conn.sendall(page(body))
    root = tmp_path / "collections"
    with HostileServer(routes=routes) as server:
        stopped = crawl_with_file_limit(server.url, root, 1_000_000, "-s", "ARCHIVE_COMPRESS_LEVEL=0")
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert_no_traceback(stopped.stderr)
    assert "fetch failed" not in stopped.stderr  # the pages in flight were not archived: not a fetch error
    (warc,) = (root / "c" / "archive").glob("*.warc.gz*")
    failure = "cannot write %s: %s" % (str(warc).removesuffix(".open") + ".open", EFBIG_TEXT)
    assert stopped.stderr.count(failure) == 2, stopped.stderr  # the run's line and the command's last one
    (report,) = stopped.reports()
    assert report["errors"]["fetch"] == 0
    assert report["write_failure"]["reason"] == "disk_full"
    assert report["stats"].get("archive/write_failure_repeats", 0) >= 1  # pages in flight, only counted


def test_an_item_write_that_fails_stops_the_run_in_one_line(demo_site, tmp_path: Path) -> None:
    root = tmp_path / "collections"
    items = root / "c" / "items" / "r1.jsonl"
    items.parent.mkdir(parents=True)
    items.symlink_to("/dev/full")  # every write of this run's items fails, as on a full disk; nothing else does
    stopped = crawl(demo_site.url, root, "c", "-s", "ARCHIVE_RUN_ID=r1")
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert_no_traceback(stopped.stderr)
    assert "Error processing" not in stopped.stderr
    failure = "cannot write %s: %s" % (items, NO_SPACE)
    assert stopped.stderr.count(failure) == 2, stopped.stderr  # the run's line and the command's last one
    (report,) = stopped.reports()
    assert report["outcome"] == "failed" and report["write_failure"]["reason"] == "disk_full"


def test_a_run_begins_on_a_disk_too_full_for_its_index(demo_crawl, small_disk: Path) -> None:
    from archive.run import RunContext

    shutil.copytree(demo_crawl.path / "archive", small_disk / "c" / "archive")  # not indexed yet
    collection = Collection.create(str(small_disk), "c")
    with collection.store():
        pass
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 80_000))  # none for the index
    ctx = RunContext.begin(collection, "r1", "crawl")
    try:
        assert ctx.repair.index_error == "cannot write %s: %s" % (
            small_disk / "c" / "indexes" / "index.cdxj", NO_SPACE)
    finally:
        ctx.end()


def test_a_run_report_that_cannot_be_written_still_ends_the_run_and_the_summary_says_so(tmp_path: Path) -> None:
    import io

    from archive.run import RunContext
    from archive.writes import WriteFailed
    from crawler.report import print_summary

    collection = Collection.create(str(tmp_path), "c")
    ctx = RunContext.begin(collection, "r1", "crawl")
    report_path = Path(collection.run_report_path("r1"))
    report_path.mkdir(parents=True)  # a directory where the report goes: it cannot be written
    report = {"run": "r1", "kind": "crawl", "finished": "2026-01-01T00:00:00+00:00", "outcome": "finished",
              "requests": 3, "articles": 1}
    try:
        with pytest.raises(WriteFailed) as failed:
            ctx.record_end(report)
    finally:
        ctx.end()
    with collection.store() as store:
        (run,) = [r for r in store.runs() if r["run_id"] == "r1"]
    assert run["outcome"] == "finished" and run["ended"] == "2026-01-01T00:00:00+00:00"
    out = io.StringIO()
    print_summary(dict(report, report_error=str(failed.value)), collection, out)
    assert "  run report        could not be written (cannot write %s: " % report_path in out.getvalue()
