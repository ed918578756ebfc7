"""pipelines/redirects.py: where a redirect led, recorded once for the crawl and for replay."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.store import Store
from pipelines.redirects import RedirectAliases


@pytest.fixture
def store(tmp_path: Path):
    with Store(str(tmp_path / "store.sqlite")) as opened:
        yield opened


def test_a_redirect_makes_its_source_an_alias_of_its_target(store: Store) -> None:
    redirects = RedirectAliases(store, "run-1")
    assert redirects.note("https://News.example/old?utm_source=x", 301, "/new")
    assert store.alias_target("https://news.example/old") == "https://news.example/new"
    assert not redirects.note("https://news.example/old", 301, "/new")  # known already
    assert redirects.sources_of("https://news.example/new") == []  # the crawl keeps no memory


@pytest.mark.parametrize("status, location", [(200, "/new"), (404, "/new"), (301, None), (302, "")])
def test_only_a_3xx_with_a_location_is_a_redirect(store: Store, status: int, location: str | None) -> None:
    assert not RedirectAliases(store, "run-1").note("https://news.example/old", status, location)
    assert store.alias_target("https://news.example/old") is None


def test_replay_remembers_which_urls_led_to_a_page(store: Store) -> None:
    redirects = RedirectAliases(store, "run-1", remember_sources=True)
    redirects.note("http://news.example/p=12", 301, "https://news.example/story")
    redirects.note("https://news.example/old-slug", 308, "https://news.example/story?utm_medium=x")
    redirects.note("http://news.example/p=12", 301, "https://news.example/story")  # read twice
    redirects.note("https://news.example/choices", 300, "https://news.example/story")  # no redirect
    assert redirects.sources_of("https://NEWS.example/story") == [
        "http://news.example/p=12", "https://news.example/old-slug"]
    assert redirects.sources_of("not a url") == []
    assert store.alias_target("https://news.example/choices") == "https://news.example/story"
