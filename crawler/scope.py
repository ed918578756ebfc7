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

URL traps: links whose URL looks like one of an endless family (a calendar, endless
pagination, session ids, a path that repeats itself) are grouped by shape (see `trap_shape`).
Each shape gets at most DISCOVERY_TRAP_LIMIT URLs, counted when the scheduler takes a new one
(so links seen twice count once); past that its links are not followed, the shape is logged
once as a WARNING and counted in `discovery/trap/<kind>`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import tldextract

from crawler.setting_types import BOOL, REGEXES, Kind, number, whole

logger = logging.getLogger(__name__)

SCOPES = ("domain", "host")
MAX_TRAP_PATTERNS = 5000  # URL shapes counted at once; bounds the guard's memory
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


# -- URL traps -----------------------------------------------------------------------------
_DIGITS = re.compile(r"\d+")
_SESSION_PARAM = re.compile(
    r"(?:^|&)(?:sid|sessionid|session_id|phpsessid|jsessionid|aspsessionid\w*|cfid|cftoken)=[^&]*",
    re.IGNORECASE)
_SESSION_PATH = re.compile(r";(?:jsessionid|sessionid|sid)=[^/?;]*", re.IGNORECASE)
_PAGE_PARAM = re.compile(r"(?:^|&)(?:page|paged|pg|pagenum|pageno|offset|start)=\d", re.IGNORECASE)
_PAGE_PATH = re.compile(r"/page/\d+/?$", re.IGNORECASE)
# Dates at the end of a path (/calendar/2026/03/, /archive/2026-03-15) or as a query value.
_DATE_PATH = re.compile(
    r"/(?:(?:19|20)\d\d(?:[/_-](?:0?[1-9]|1[0-2])(?:[/_-](?:0?[1-9]|[12]\d|3[01]))?)?"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?)/?$")
_DATE_PARAM = re.compile(
    r"(?:^|&)(?:date|day|month|year|week|cal|calendar|ym|mon)=\d", re.IGNORECASE)
_CALENDAR_WORD = re.compile(r"calendar|kalender|agenda|/events?/")  # on the lower-cased path


def trap_shape(url: str, parts: SplitResult | None = None) -> tuple[str, str] | None:
    """(kind, shape) of a URL that may belong to an endless family, or None.

    Kinds: "session" (a session id in the query or the path), "repeated" (path segments that
    repeat: /a/b/a/b/), "calendar" (a path ending in a date, a date in the query), "pagination"
    (page=N, /page/N). The shape is the URL with digit runs, session ids and repeats taken out:
    every member of one family has the same shape. Runs for every link: cheap tests first.
    """
    if parts is None:
        parts = urlsplit(url)
    path, query = parts.path, parts.query
    kind = None
    if ";" in path and _SESSION_PATH.search(path):
        path, kind = _SESSION_PATH.sub("", path), "session"
    if query and _SESSION_PARAM.search(query):
        query, kind = _SESSION_PARAM.sub("", query).lstrip("&"), "session"
    if kind is None:
        collapsed = _collapse_repeats(path)
        ends_in_digit = path.rstrip("/")[-1:].isdigit()
        if collapsed is not None:
            path, kind = collapsed, "repeated"
        elif (ends_in_digit and _DATE_PATH.search(path)) or (query and _DATE_PARAM.search(query)) or (
                _CALENDAR_WORD.search(path.lower()) and _DIGITS.search(path + query)):
            kind = "calendar"
        elif (query and _PAGE_PARAM.search(query)) or (ends_in_digit and _PAGE_PATH.search(path)):
            kind = "pagination"
        else:
            return None
    shape = parts.netloc + _DIGITS.sub("N", path)
    if query:
        shape += "?" + _DIGITS.sub("N", query)
    return kind, shape


def _collapse_repeats(path: str) -> str | None:
    """The path with consecutively repeated segment blocks taken out, if it has any."""
    segments = path.split("/")
    unique = len(set(segments))  # "" twice for a path like /a/b/: that is no repeat
    if unique == len(segments) or (unique == len(segments) - 1 and segments[0] == segments[-1] == ""):
        return None
    segments = [s for s in segments if s]
    changed = False
    size = 1
    while size <= len(segments) // 2:
        i = 0
        while i + 2 * size <= len(segments):
            block = segments[i:i + size]
            if block == segments[i + size:i + 2 * size] and not all(s.isdigit() for s in block):
                del segments[i + size:i + 2 * size]  # /a/b/a/b/x -> /a/b/x
                changed = True
            else:
                i += 1
        size += 1
    if not changed:
        return None
    return "/" + "/".join(segments) + ("/" if path.endswith("/") else "")


class TrapGuard:
    """Counts the scheduled URLs of each trap shape; a shape that has `limit` of them is stopped.

    Memory is bounded: at most `max_patterns` shapes are counted at once; when full, the shapes
    still under the limit are forgotten (the stopped ones stay stopped).
    """

    def __init__(self, limit: int, max_patterns: int = MAX_TRAP_PATTERNS) -> None:
        self.limit = limit
        self.max_patterns = max_patterns
        self.counts: dict[str, int] = {}
        self._reported: set[str] = set()

    def allows(self, shape: str) -> bool:
        return not self.limit or self.counts.get(shape, 0) < self.limit

    def first_refusal(self, shape: str) -> bool:
        """True the first time a URL of this stopped shape is refused (to report it once)."""
        if shape in self._reported or len(self._reported) >= self.max_patterns:
            return False
        self._reported.add(shape)
        return True

    def add(self, shape: str) -> None:
        """One more URL of `shape` was scheduled."""
        if shape not in self.counts and len(self.counts) >= self.max_patterns:
            stopped = {k: v for k, v in self.counts.items() if v >= self.limit}
            self.counts = stopped if len(stopped) < self.max_patterns else {}
        self.counts[shape] = self.counts.get(shape, 0) + 1

    def remove(self, shape: str) -> None:
        """Take back a count: the scheduler dropped the URL as one it had seen."""
        count = self.counts.get(shape)
        if count:
            self.counts[shape] = count - 1
