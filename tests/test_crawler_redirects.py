"""Redirects judged like links (scope, deny), and a redirect chain too long to follow, named as a loss."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import CrawlResult, crawl
from tests.hostile_traps import CHAIN_HOPS, SHORT_CHAIN_HOPS, TrapServer, redirect_home


@pytest.fixture(scope="module")
def redirected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrapServer, CrawlResult]]:
    with TrapServer(home=redirect_home) as server:
        result = crawl(server.url, Path(tmp_path_factory.mktemp("redirects")), "redirects",
                       "--scope", "host", "--deny", "/denied/", "-s", "DISCOVERY_PROBE=0")
        yield server, result


def _report(result: CrawlResult) -> dict:
    return result.reports()[0]


def _archived(result: CrawlResult) -> dict[str, str]:
    """Target URI -> status line of each archived response."""
    found = {}
    for path in sorted((result.path / "archive").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    found[record.rec_headers.get_header("WARC-Target-URI")] = record.http_headers.get_statuscode()
    return found


def test_a_redirect_out_of_scope_is_not_followed_and_its_3xx_is_archived(
        redirected: tuple[TrapServer, CrawlResult]) -> None:
    server, result = redirected
    assert result.returncode == 0, result.stderr[-2000:]
    other_host = "localhost:%d" % server.port
    assert server.paths(host=other_host) == []  # neither the page nor that host's robots.txt
    assert "/elsewhere" not in server.paths()
    stats = _report(result)["stats"]
    assert stats["discovery/redirect_out_of_scope"] == 1
    assert _archived(result)[server.url + "go-away"] == "302"
    named = [line for line in result.stderr.splitlines() if "not following a redirect (out of scope)" in line]
    assert len(named) == 1 and "/go-away" in named[0] and other_host + "/elsewhere" in named[0]


def test_a_redirect_to_a_denied_url_is_not_followed(redirected: tuple[TrapServer, CrawlResult]) -> None:
    server, result = redirected
    assert not [p for p in server.paths() if p.startswith("/denied/")]
    assert _report(result)["stats"]["discovery/redirect_denied"] == 1


def test_redirects_within_scope_are_followed(redirected: tuple[TrapServer, CrawlResult]) -> None:
    server, result = redirected
    paths = server.paths()
    assert "/story" in paths
    assert "/short/%d" % SHORT_CHAIN_HOPS in paths  # a chain of a few hops ends at its article
    urls = {item["url"] for item in result.items()}
    assert server.url + "short/%d" % SHORT_CHAIN_HOPS in urls or server.url + "story" in urls


def test_a_chain_past_the_redirect_limit_is_a_named_fetch_error(redirected: tuple[TrapServer, CrawlResult]) -> None:
    server, result = redirected
    paths = server.paths()
    assert "/chain/20" in paths and "/chain/21" not in paths and "/chain/%d" % CHAIN_HOPS not in paths
    report = _report(result)
    assert report["stats"]["fetch/redirect_limit"] == 1
    assert report["errors"]["fetch"] >= 1  # not "errors 0": the article at its end is lost
    lost = [line for line in result.stderr.splitlines() if "REDIRECT_MAX_TIMES" in line]
    assert len(lost) == 1 and "WARNING" in lost[0] and "lost %schain/0" % server.url in lost[0]
    assert "fetch/ignored" not in report["stats"]  # counted once, as what it is
