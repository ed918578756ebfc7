"""Losses in the fetch path are named: a body cut by a reset or an early close, a response header the
client refuses, a body that does not decode. Each is counted in fetch/errors and fetch/error/<kind>,
and the first of each kind is said with its URL."""
from __future__ import annotations

import re

import pytest

from tests.conftest import CrawlResult, crawl
from tests.hostile_fetch import ANNOUNCED, ARTICLE, ROUTES
from tests.hostile_server import HostileServer


@pytest.fixture(scope="module")
def fetch_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, CrawlResult]:
    root = tmp_path_factory.mktemp("fetch")
    with HostileServer(routes=ROUTES) as server:
        result = crawl(server.url, root, "f", "-s", "DISCOVERY_PROBE=false", "-s", "DOWNLOAD_DELAY=0",
                       "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "RETRY_TIMES=1")
    return server.url, result


def warnings_of(result: CrawlResult) -> list[str]:
    return [line for line in result.stderr.splitlines() if " WARNING crawler.fetch_errors: fetch failed: " in line]


def test_each_loss_is_counted_by_kind(fetch_crawl: tuple[str, CrawlResult]) -> None:
    url, result = fetch_crawl
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (report,) = result.reports()
    stats = report["stats"]
    kinds = {k: v for k, v in stats.items() if k.startswith("fetch/error/")}
    assert kinds == {"fetch/error/connection_reset": 2, "fetch/error/connection_lost": 1,
                     "fetch/error/header_too_large": 1, "fetch/error/undecodable": 1}
    assert report["errors"]["fetch"] == 5
    assert "fetch/ignored" not in stats  # a loss, not a request left out on purpose


def test_each_kind_is_named_once_with_its_url(fetch_crawl: tuple[str, CrawlResult]) -> None:
    url, result = fetch_crawl
    lines = warnings_of(result)
    assert len(lines) == 4, lines  # one per kind: of the two resets, whichever came first
    text = "\n".join(lines)
    assert re.search(r"fetch failed: %sreset-(length|chunked): connection reset by peer after \d+ (of %d bytes of "
                     r"the body|bytes of the body \(no length announced\)) \(others of this kind counted in "
                     r"fetch/error/connection_reset\)" % (re.escape(url), ANNOUNCED), text), text
    assert re.search(r"fetch failed: %scut-length: connection lost \(closed by the server\) after \d+ of %d "
                     r"bytes of the body" % (re.escape(url), ANNOUNCED), text), text
    assert "fetch failed: %sbig-header: response header too large (over 16384 bytes in one line)" % url in text
    assert "fetch failed: could not decode br body of %sbad-br: " % url in text


def test_no_loss_goes_without_a_name(fetch_crawl: tuple[str, CrawlResult]) -> None:
    """Both resets are told (by Scrapy's retry middleware giving up) in words, never empty or 'closed
    cleanly'; and no decoder's bare error."""
    url, result = fetch_crawl
    assert re.search(r"Gave up retrying <GET %sreset-length> \(failed 2 times\): connection reset by peer after "
                     r"\d+ of %d bytes of the body" % (re.escape(url), ANNOUNCED), result.stderr), result.stderr
    assert re.search(r"Gave up retrying <GET %sreset-chunked> \(failed 2 times\): connection reset by peer after "
                     r"\d+ bytes of the body \(no length announced\)" % re.escape(url), result.stderr), result.stderr
    assert not re.search(r"\(failed \d+ times\): *$", result.stderr, re.MULTILINE)
    assert "closed cleanly" not in result.stderr
    assert "Decompressor" not in result.stderr


def test_a_good_br_body_is_read_even_where_brotlipy_has_the_name(fetch_crawl: tuple[str, CrawlResult]) -> None:
    url, result = fetch_crawl
    items = {item["url"]: item for item in result.items()}
    assert url + "good-br" in items, result.stderr
    assert items[url + "good-br"]["title"] in ARTICLE.decode()
