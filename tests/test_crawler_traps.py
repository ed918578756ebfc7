"""A hostile site's endless URL families, bad links and huge URLs: the crawl ends by itself and names each."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CrawlResult, crawl
from tests.hostile_traps import LONG_URL, TRAPS, TrapServer

LIMIT = 20  # DISCOVERY_TRAP_LIMIT for this crawl
SAFETY_NET = 3000  # --max-pages, so a regression fails an assertion instead of crawling for ever


@pytest.fixture(scope="module")
def trapped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrapServer, CrawlResult]]:
    with TrapServer() as server:
        result = crawl(server.url, Path(tmp_path_factory.mktemp("traps")), "traps",
                       "--max-pages", str(SAFETY_NET), "-s", "DISCOVERY_TRAP_LIMIT=%d" % LIMIT,
                       "-s", "DISCOVERY_PROBE=0")
        yield server, result


def _stats(result: CrawlResult) -> dict:
    return result.reports()[0]["stats"]


def test_endless_families_end_by_themselves_bounded_and_named_once(trapped: tuple[TrapServer, CrawlResult]) -> None:
    server, result = trapped
    assert result.returncode == 0, result.stderr[-2000:]
    stats = _stats(result)
    assert "discovery/over_budget" not in stats  # ended by the trap bound, not by --max-pages
    paths = server.paths()
    for name, first in TRAPS.items():
        family = first.rsplit("/", 1)[0] + "/" if "?" not in first else first.split("=")[0]
        members = [p for p in paths if p.startswith(family)]
        assert LIMIT <= len(members) <= LIMIT + 3, (name, len(members))
    assert stats["discovery/trap/growing_query"] == 1
    assert stats["discovery/trap/growing_path"] == 3  # /x/1/2/..., /a/aa/aaa/..., /r/<random>/...
    assert stats["discovery/trap/pagination"] == 1  # /p/N: pagination, not a calendar
    assert "discovery/trap/calendar" not in stats
    warnings = [line for line in result.stderr.splitlines() if "URL trap" in line]
    assert len(warnings) == 5, warnings
    assert sum("(growing_query)" in w and "/grow?q=…" in w for w in warnings) == 1


def test_a_malformed_link_costs_that_link_only(trapped: tuple[TrapServer, CrawlResult]) -> None:
    server, result = trapped
    paths = server.paths()
    assert "/after-bad-links" in paths  # after six bad links on the same page
    assert "/after-bad-base" in paths  # relative to the page when <base href> is malformed
    stats = _stats(result)
    assert stats["discovery/invalid_link"] == 7
    assert "Traceback" not in result.stderr and "ValueError" not in result.stderr


def test_a_url_past_the_length_limit_is_counted_and_named(trapped: tuple[TrapServer, CrawlResult]) -> None:
    server, result = trapped
    assert not [p for p in server.paths() if p.startswith("/long")]
    assert _stats(result)["discovery/url_too_long"] == 1
    named = [line for line in result.stderr.splitlines() if "URLLENGTH_LIMIT" in line]
    assert len(named) == 1 and "WARNING" in named[0] and "%d characters" % (len(LONG_URL) + 22) in named[0]
