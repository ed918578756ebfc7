"""Scope decisions: registered domains, allow/deny, settings, and the shapes of URL traps."""
from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.capture import SettingError
from crawler.scope import DiscoveryConfig, Scope
from crawler.traps import GROWTH_RECORDS, TrapGuard, growth_families, trap_shape


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
    ("https://e.org/p/7", "pagination", "e.org/p/N"),
    ("https://e.org/p/2019", "pagination", "e.org/p/N"),  # a page number that looks like a year
    ("https://e.org/events/page/3", "pagination", "e.org/events/page/N"),
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
    "https://e.org/p/1234567",  # an article id, not a page number
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


# -- growing URLs -----------------------------------------------------------------------------
def test_growth_families_of_a_url() -> None:
    assert growth_families("https://e.org/x/1/2/3") == (("growing_path", "e.org/x/…", 8),)
    assert growth_families("https://e.org/grow?q=aaa&n=1") == (
        ("growing_path", "e.org/…", 5), ("growing_query", "e.org/grow?q=…&n=…", 9))
    assert growth_families("https://e.org/2026/03/slug")[0][1] == "e.org/N/…"


def _schedule(guard: TrapGuard, url: str) -> bool:
    """What the spider does with a link: refused, or scheduled (True)."""
    families = growth_families(url)
    if guard.growing(families) is not None:
        return False
    guard.grow(families)
    return True


@pytest.mark.parametrize(("make", "kind"), [
    (lambda n: "https://e.org/grow?q=" + "a" * n, "growing_query"),
    (lambda n: "https://e.org/x/" + "/".join(str(i) for i in range(1, n + 1)), "growing_path"),
    (lambda n: "https://e.org/a/" + "/".join("a" * i for i in range(1, n + 1)), "growing_path"),
    (lambda n: "https://e.org/" + "z" * n, "growing_path"),
])
def test_ever_longer_urls_stop_at_the_limit(make, kind: str) -> None:  # type: ignore[no-untyped-def]
    guard = TrapGuard(limit=30)
    followed = [n for n in range(1, 1000) if _schedule(guard, make(n))]
    assert len(followed) == 31  # the first, and 30 longer than it
    assert guard.growing(growth_families(make(5000)))[0] == kind
    assert guard.growing(growth_families(make(1))) is None  # as long as the first: not grown


def test_a_branching_tree_of_ever_deeper_paths_is_bounded() -> None:
    guard = TrapGuard(limit=30)
    frontier, followed = ["https://e.org/t/r"], 0
    while frontier and followed < 100_000:  # depth first, as Scrapy's default queue goes
        url = frontier.pop()
        for child in ("a", "b", "c"):
            if _schedule(guard, url + "/" + child):
                followed += 1
                frontier.append(url + "/" + child)
    assert followed < 30 + 3 * GROWTH_RECORDS * 2


def test_real_sites_urls_are_not_growth_traps() -> None:
    import random

    rng = random.Random(3)
    guard = TrapGuard(limit=100)
    words = ["minister", "resigns", "after", "vote", "storm", "harbour", "reopens", "markets", "fall", "a"]
    urls = []
    for n in range(20_000):
        slug = "-".join(rng.choice(words) for _ in range(rng.randint(2, 12)))
        urls.append("https://e.org/news/%s-%d" % (slug, n))
        urls.append("https://e.org/tag?name=%s" % slug)
        urls.append("https://e.org/%d/%02d/%s" % (rng.randint(2000, 2026), rng.randint(1, 12), slug))
        urls.append("https://e.org/list?page=%d" % n)
    assert all(_schedule(guard, url) for url in urls)


def test_growth_takes_back_duplicates_and_memory_is_bounded() -> None:
    guard = TrapGuard(limit=5, max_patterns=50)
    for n in range(1, 40):
        _schedule(guard, "https://e.org/grow?q=" + "a" * n)
    trap = growth_families("https://e.org/grow?q=" + "a" * 99)
    assert guard.growing(trap) is not None
    for n in range(10_000):
        guard.grow(growth_families("https://e.org/s%d/x?k%d=1" % (n, n)))
    assert len(guard.growth) <= 50
    assert guard.growing(trap) is not None  # a growing family is kept
    guard = TrapGuard(limit=5)
    for n in range(1, 30):
        families = growth_families("https://e.org/grow?q=" + "a" * n)
        guard.grow(families)
        guard.shrink(families)  # the scheduler had seen each: none counts as grown
    assert guard.growing(growth_families("https://e.org/grow?q=" + "a" * 99)) is None
    assert TrapGuard(limit=0).growing(trap) is None
