"""What the news spider may follow: site scope, allow/deny patterns, depth, and URL traps.

Depth counts link hops through pages: a seed is at depth 0, a page linked from a page at depth
d is at d + 1. Feeds and sitemaps are stepping stones, not hops: a feed, sitemap or sitemap
index (found in robots.txt, through `<link rel=alternate>`, in a sitemap index, by probing the
usual paths) sits at the depth of what pointed at it, and the pages it lists one hop further.
So with `--max-depth 1`, a home page seed, its links, and the articles of its feeds and of the
robots.txt sitemaps are fetched. Scrapy's own `depth` meta key counts every callback
generation, feeds included, so ours is a key of its own (`link_depth`).

A feed only counts as a feed where it is known to be one (robots.txt, `<link rel=alternate>`,
a sitemap index, a probe, a seed); one reached by a plain `<a href>` is a hop like any link.

Allow patterns select pages; they do not apply to seeds or to the feeds and sitemaps that list
pages (an `--allow /2026/` crawl still reads the feeds). Deny patterns apply to everything but
the seeds. The site scope ("domain": the seeds' registered domains by the public suffix list
bundled with tldextract, never fetched; "host": the seeds' host names) does not apply to seeds
nor to the sitemaps an in-scope robots.txt names (sitemaps often live on a CDN host; the pages
they list are scoped as usual).

URL traps (endless families of URLs, bounded by DISCOVERY_TRAP_LIMIT) are crawler/traps.py's.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import tldextract

from crawler.setting_types import BOOL, REGEXES, Kind, number, whole

logger = logging.getLogger(__name__)

SCOPES = ("domain", "host")
_HOST_CACHE_SIZE = 4096


@dataclass(frozen=True)
class DiscoveryConfig:
    """The DISCOVERY_* settings, read and checked once."""

    scope: str = "domain"
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_depth: int = 0  # 0: no limit
    since_hours: float = 0.0  # 0: every feed and sitemap entry
    probe: bool = True
    trap_limit: int = 100  # 0: no trap bound

    @classmethod
    def from_settings(cls, settings: Any) -> DiscoveryConfig:
        """Read and check the DISCOVERY_* settings; SettingError names the first bad one."""
        return cls(**{field: kind.read(settings, name) for name, (field, kind) in DISCOVERY_SETTINGS.items()})


def _scope(settings: Any, name: str) -> str:
    scope = str(settings.get(name) or "domain").strip().lower()
    if scope not in SCOPES:
        raise ValueError(scope)
    return scope


# setting -> (DiscoveryConfig field, kind of value)
DISCOVERY_SETTINGS: dict[str, tuple[str, Kind]] = {
    "DISCOVERY_SCOPE": ("scope", Kind("'domain' or 'host'", _scope)),
    "DISCOVERY_ALLOW": ("allow", REGEXES),
    "DISCOVERY_DENY": ("deny", REGEXES),
    "DISCOVERY_MAX_DEPTH": ("max_depth", whole(0, unit="link hops")),
    "DISCOVERY_SINCE_HOURS": ("since_hours", number(0, unit="hours")),
    "DISCOVERY_PROBE": ("probe", BOOL),
    "DISCOVERY_TRAP_LIMIT": ("trap_limit", whole(0, unit="URLs")),
}


class Scope:
    """Which URLs belong to the crawl: the seeds' sites, minus what deny patterns exclude."""

    def __init__(self, seeds: Iterable[str], config: DiscoveryConfig) -> None:
        self.by_domain = config.scope == "domain"
        # private suffixes too: a.github.io and b.github.io are different sites
        self._extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                              include_psl_private_domains=True)
        self._domains: dict[str, str] = {}
        self.sites = frozenset(self.site_of(urlsplit(url).hostname or "") for url in seeds)
        self._allow = re.compile("|".join("(?:%s)" % p for p in config.allow)) if config.allow else None
        self._deny = re.compile("|".join("(?:%s)" % p for p in config.deny)) if config.deny else None

    def site_of(self, host: str) -> str:
        """The host itself, or its registered domain (news.example.co.uk -> example.co.uk)."""
        if not self.by_domain:
            return host
        site = self._domains.get(host)
        if site is None:
            parts = self._extract(host)
            if hasattr(parts, "top_domain_under_public_suffix"):  # tldextract >= 5.3
                site = parts.top_domain_under_public_suffix or host  # or an IP address, localhost
            else:
                site = parts.registered_domain or host
            if len(self._domains) >= _HOST_CACHE_SIZE:
                self._domains.clear()
            self._domains[host] = site
        return site

    def covers(self, host: str) -> bool:
        return self.site_of(host) in self.sites

    def rejects(self, url: str, host: str, *, page: bool = True, any_site: bool = False) -> str | None:
        """Why `url` is not followed ("out_of_scope", "denied", "not_allowed"), or None."""
        if not any_site and not self.covers(host):
            return "out_of_scope"
        if self._deny is not None and self._deny.search(url):
            return "denied"
        if page and self._allow is not None and not self._allow.search(url):
            return "not_allowed"
        return None
