"""Scope decisions: registered domains, allow/deny, settings, and the shapes of URL traps."""
from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.capture import SettingError
from crawler.scope import DiscoveryConfig, Scope, TrapGuard, trap_shape


def scope(*seeds: str, **config: object) -> Scope:
    return Scope(seeds, DiscoveryConfig(**config))  # type: ignore[arg-type]


def settings(**values: object) -> Settings:
    s = Settings()
    s.setmodule("crawler.settings")
    s.setdict(values, priority="cmdline")
    return s


# -- sites ---------------------------------------------------------------------------------
def test_domain_scope_takes_in_every_host_of_the_registered_domain() -> None:
    sc = scope("https://news.example.co.uk/")
    assert sc.rejects("https://www.example.co.uk/a", "www.example.co.uk") is None
    assert sc.rejects("https://example.co.uk/a", "example.co.uk") is None
    assert sc.rejects("https://deep.sub.example.co.uk/a", "deep.sub.example.co.uk") is None
    # co.uk is a public suffix: another registrant under it is another site
    assert sc.rejects("https://other.co.uk/a", "other.co.uk") == "out_of_scope"
    assert sc.rejects("https://example.org/a", "example.org") == "out_of_scope"
    assert sc.rejects("https://example.co.uk.evil.org/a", "example.co.uk.evil.org") == "out_of_scope"


def test_private_suffixes_separate_sites_sharing_a_hosting_domain() -> None:
    sc = scope("https://alice.github.io/")
    assert sc.rejects("https://alice.github.io/post", "alice.github.io") is None
    assert sc.rejects("https://bob.github.io/post", "bob.github.io") == "out_of_scope"


def test_host_scope_keeps_to_the_seed_hosts() -> None:
    sc = scope("https://news.example.co.uk/", "https://example.org/", scope="host")
    assert sc.rejects("https://news.example.co.uk/a", "news.example.co.uk") is None
    assert sc.rejects("https://example.org/b", "example.org") is None
    assert sc.rejects("https://www.example.co.uk/a", "www.example.co.uk") == "out_of_scope"
    assert sc.rejects("https://www.example.org/b", "www.example.org") == "out_of_scope"


def test_addresses_and_single_label_hosts_are_their_own_site() -> None:
    sc = scope("http://127.0.0.1:8000/")
    assert sc.rejects("http://127.0.0.1:9000/x", "127.0.0.1") is None
    assert sc.rejects("http://localhost:8000/x", "localhost") == "out_of_scope"
    assert sc.rejects("http://127.0.0.2/x", "127.0.0.2") == "out_of_scope"


def test_deny_wins_and_allow_selects_pages_but_not_feeds() -> None:
    sc = scope("https://example.org/", allow=(r"/20\d\d/",), deny=(r"/private/", r"\?print="))
    assert sc.rejects("https://example.org/2026/03/story", "example.org") is None
    assert sc.rejects("https://example.org/2026/private/x", "example.org") == "denied"
    assert sc.rejects("https://example.org/2026/03/story?print=1", "example.org") == "denied"
    assert sc.rejects("https://example.org/about/", "example.org") == "not_allowed"
    # feeds and sitemaps list the pages: allow does not keep the crawl from reading them
    assert sc.rejects("https://example.org/feed.xml", "example.org", page=False) is None
    assert sc.rejects("https://example.org/private/feed.xml", "example.org", page=False) == "denied"


# -- settings ------------------------------------------------------------------------------
def test_settings_are_read_once_into_a_config() -> None:
    config = DiscoveryConfig.from_settings(settings(
        DISCOVERY_SCOPE="host", DISCOVERY_ALLOW=["/news/"], DISCOVERY_DENY="/a/,/b/",
        DISCOVERY_MAX_DEPTH="3", DISCOVERY_SINCE_HOURS="36", DISCOVERY_PROBE="False",
        DISCOVERY_TRAP_LIMIT="7"))
    assert config == DiscoveryConfig(scope="host", allow=("/news/",), deny=("/a/", "/b/"), max_depth=3,
                                     since_hours=36.0, probe=False, trap_limit=7)
    assert DiscoveryConfig.from_settings(settings()) == DiscoveryConfig()  # defaults agree


@pytest.mark.parametrize(("key", "value", "named"), [
    ("DISCOVERY_SCOPE", "planet", "DISCOVERY_SCOPE"),
    ("DISCOVERY_DENY", ["(unclosed"], "DISCOVERY_DENY"),
    ("DISCOVERY_MAX_DEPTH", "-1", "DISCOVERY_MAX_DEPTH"),
    ("DISCOVERY_TRAP_LIMIT", "lots", "DISCOVERY_"),
])
def test_a_bad_setting_is_named(key: str, value: object, named: str) -> None:
    with pytest.raises(SettingError, match=named):
        DiscoveryConfig.from_settings(settings(**{key: value}))


# -- traps ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "kind", "shape"), [
    ("https://e.org/calendar/2026/03/", "calendar", "e.org/calendar/N/N/"),
    ("https://e.org/events/2026-03-15", "calendar", "e.org/events/N-N-N"),
    ("https://e.org/archive/20260315/", "calendar", "e.org/archive/N/"),
    ("https://e.org/agenda?month=2026-03&view=grid", "calendar", "e.org/agenda?month=N-N&view=grid"),
    ("https://e.org/list?page=7", "pagination", "e.org/list?page=N"),
    ("https://e.org/list?cat=sport&page=7", "pagination", "e.org/list?cat=sport&page=N"),
    ("https://e.org/section/world/page/12/", "pagination", "e.org/section/world/page/N/"),
    ("https://e.org/s/?sid=8f14e45f&x=1", "session", "e.org/s/?x=N"),
    ("https://e.org/shop/item;jsessionid=A1B2C3?id=4", "session", "e.org/shop/item?id=N"),
    ("https://e.org/index.php?PHPSESSID=abc123", "session", "e.org/index.php"),
    ("https://e.org/a/b/a/b/", "repeated", "e.org/a/b/"),
    ("https://e.org/loop/x/x/x/x/", "repeated", "e.org/loop/x/"),
])
def test_trap_shapes_group_the_members_of_a_family(url: str, kind: str, shape: str) -> None:
    assert trap_shape(url) == (kind, shape)


@pytest.mark.parametrize("url", [
    "https://e.org/2026/03/15/minister-resigns-after-vote/",  # dated article: not a calendar page
    "https://e.org/news/world/europe-12345678",
    "https://e.org/article/98765",
    "https://e.org/section/world/",
    "https://e.org/2026/03/03/03/story",  # repeated numbers are dates, not loops
    "https://e.org/search?s=election",
    "https://e.org/?p=123",  # WordPress post id, not a page number
])
def test_ordinary_news_urls_are_no_trap(url: str) -> None:
    assert trap_shape(url) is None


def test_trap_guard_stops_a_shape_at_the_limit_and_takes_back_duplicates() -> None:
    guard = TrapGuard(limit=3)
    for _ in range(2):
        assert guard.allows("s")
        guard.add("s")
    guard.add("s")
    guard.remove("s")  # the scheduler had seen that one: it does not count
    assert guard.allows("s")
    guard.add("s")
    assert not guard.allows("s")
    assert guard.allows("other")
    assert guard.first_refusal("s") and not guard.first_refusal("s")  # reported once


def test_trap_guard_memory_is_bounded_and_stopped_shapes_stay_stopped() -> None:
    guard = TrapGuard(limit=2, max_patterns=100)
    guard.add("trap")
    guard.add("trap")
    for n in range(10_000):
        guard.add("shape-%d" % n)
    assert len(guard.counts) <= 100
    assert not guard.allows("trap")


def test_trap_limit_zero_turns_the_guard_off() -> None:
    guard = TrapGuard(limit=0)
    for _ in range(1000):
        guard.add("s")
    assert guard.allows("s")
