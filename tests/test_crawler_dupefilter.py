"""The disk-backed request dupefilter: right answers, bounded memory, kept across a resume."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from crawler.dupefilter import RECENT, SEEN_FILE, DiskDupeFilter
from tests.conftest import CrawlResult


def _request(n: int) -> Request:
    return Request("http://news.example/2024/story-%d" % n)


def test_a_request_is_new_once() -> None:
    seen = DiskDupeFilter(None, RequestFingerprinter())
    try:
        assert not seen.request_seen(_request(1))
        assert seen.request_seen(_request(1))
        assert seen.request_seen(Request("http://news.example/2024/story-1#comments"))  # same fingerprint
        assert not seen.request_seen(_request(2))
    finally:
        seen.close("finished")


def test_memory_is_bounded_and_old_requests_are_found_on_disk() -> None:
    seen = DiskDupeFilter(None, RequestFingerprinter())
    try:
        total = 5 * RECENT
        assert not any(seen.request_seen(_request(n)) for n in range(total))
        assert len(seen) == total  # every fingerprint is in the table...
        assert len(seen._recent) <= 2 * RECENT  # ...and only the recent ones in memory
        assert seen.request_seen(_request(0))  # long out of memory: the table knows it
        assert not seen.request_seen(_request(total))
    finally:
        seen.close("finished")


def test_a_temporary_store_is_deleted_on_close() -> None:
    seen = DiskDupeFilter(None, RequestFingerprinter())
    seen.request_seen(_request(1))
    path = seen.path
    assert os.path.exists(path)
    seen.close("finished")
    assert not any(os.path.exists(path + suffix) for suffix in ("", "-wal", "-shm"))


def test_the_job_directory_keeps_fingerprints_for_a_resume(tmp_path: Path) -> None:
    seen = DiskDupeFilter(str(tmp_path), RequestFingerprinter())
    for n in range(2500):  # more than one transaction's worth, and a last partial one
        seen.request_seen(_request(n))
    seen.close("shutdown")
    again = DiskDupeFilter(str(tmp_path), RequestFingerprinter())
    try:
        assert len(again) == 2500
        assert again.request_seen(_request(2499)) and again.request_seen(_request(0))
        assert not again.request_seen(_request(2500))
    finally:
        again.close("finished")


def test_scrapys_seen_file_is_taken_over(tmp_path: Path) -> None:
    # a job directory left by a crawl that used Scrapy's own filter
    old = RFPDupeFilter(str(tmp_path), fingerprinter=RequestFingerprinter())
    for n in range(10):
        old.request_seen(_request(n))
    old.close("shutdown")
    seen = DiskDupeFilter(str(tmp_path), RequestFingerprinter())
    try:
        assert len(seen) == 10
        assert seen.request_seen(_request(3))
        assert not seen.request_seen(_request(10))
    finally:
        seen.close("finished")


def test_a_corrupt_store_is_named(tmp_path: Path) -> None:
    (tmp_path / SEEN_FILE).write_bytes(b"this is no database, " * 400)
    with pytest.raises(RuntimeError, match=SEEN_FILE + ".*delete it"):
        DiskDupeFilter(str(tmp_path), RequestFingerprinter())


def test_the_crawl_filters_with_it(demo_crawl: CrawlResult) -> None:
    assert demo_crawl.reports()[-1]["stats"].get("dupefilter/new")  # DiskDupeFilter counts what it let through
    stats = demo_crawl.reports()[-1]["stats"]
    # every request that went through the filter, and only those (retries skip it)
    assert 20 < stats["dupefilter/new"] <= stats["scheduler/enqueued"]
    assert not (demo_crawl.path / "state" / "jobdir").exists()  # a finished crawl leaves no frontier
