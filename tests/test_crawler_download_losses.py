"""Losses a hostile server causes are named in the run report, never miscounted as errors."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import crawl
from tests.hostile_losses import ROUTES
from tests.hostile_server import HostileServer


def test_an_empty_200_is_no_article_not_an_extraction_error(tmp_path: Path) -> None:
    with HostileServer(routes=ROUTES) as server:
        result = crawl(server.url, tmp_path, "losses", "-s", "DISCOVERY_PROBE=false", "-s", "DOWNLOAD_DELAY=0",
                       "-s", "AUTOTHROTTLE_ENABLED=false")
    assert result.returncode == 0, result.stderr
    (report,) = result.reports()
    assert report["articles"] == 1
    assert report["not_article_reasons"].get("empty") == 2, report["not_article_reasons"]
    assert report["errors"]["extract"] == 0, report["errors"]
    assert "extraction failed" not in result.stderr
