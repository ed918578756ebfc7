"""The news spider: from seeds (pages, feeds, sitemaps) to every page within the crawl's scope."""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.addon import page_of
from crawler.bounds import BoundNotice, ResponseBounds
from crawler.conditional import CONDITIONAL_META_KEY, archived_response
from crawler.discovery import FEED_TYPES, Discovered, parse_document
from crawler.links import RecentMap, join_key, scan_links
from crawler.redirect_scope import RedirectRefused
from crawler.requisites import RequisiteCallbacks
from crawler.run_extension import run_context
from crawler.scope import DiscoveryConfig, Scope
from crawler.traps import TrapGuard, growth_families, trap_shape
from pipelines.canonical import (
    InvalidURL,
    canonical_link_parts,
    canonical_parts,
    canonicalize,
    plain_host_and_path,
)

logger = logging.getLogger(__name__)

# Links to these are never pages: skip them before they cost a request.
SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4[av]|webm|avi|mov|ogg|wav|flac|pdf|zip|"
    r"gz|tgz|rar|7z|exe|dmg|apk|css|js|woff2?|ttf|eot|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)


# Where sites usually keep a sitemap, a news sitemap and a feed (DISCOVERY_PROBE).
PROBE_PATHS = ("/sitemap.xml", "/sitemap_news.xml", "/feed")
DEPTH_META_KEY = "link_depth"  # page hops from a seed; Scrapy's own "depth" counts feeds too
TRAP_META_KEY = "trap_shape"
GROWTH_META_KEY = "growth_families"  # crawler/traps.py: the families a URL may grow in
# how the request's URL was judged, (document, any_site), so its redirects are judged alike; a
# seed's request has none (a seed's redirect is followed like the seed)
JUDGED_META_KEY = "judged_as"
SOURCE_META_KEY = "discovered_in"  # "html", "alternate", "rss", "sitemap", "robots", "probe", ...
_FEED_TYPES = frozenset(FEED_TYPES)
_NOT_LINKS = ("#", "mailto:", "javascript:", "tel:", "data:")
# Links seen in this run, remembered in bounded memory (the same nav links are on every page):
# what each href resolves to, and which canonical URLs were requested or are known articles.
LINK_MEMORY = 8192
_REQUESTED, _KNOWN = "requested", "known"


def split_seeds(seeds: str | Iterable[str]) -> list[str]:
    if isinstance(seeds, str):
        return [s for s in re.split(r"[\s,]+", seeds) if s]
    return [s for s in seeds if s]


class NewsSpider(Spider, RequisiteCallbacks):
    """Pages, feeds and sitemaps; each HTML page's requisites come with it (crawler/requisites.py)."""

    name = "news"

    def __init__(self, seeds: str | Iterable[str] = "", max_pages: int | str = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed_urls = [canonicalize(s) for s in split_seeds(seeds)]  # InvalidURL names the bad one
        if not self.seed_urls:
            raise ValueError("no seeds: pass seeds=URL[,URL...]")
        self.max_pages = int(max_pages or 0)
        self.max_url_length = 2083  # URLLENGTH_LIMIT, set by from_crawler; 0: no limit
        self._named_long_url = False
        self.scheduled = 0
        self._known_article: Callable[[str], bool] = lambda url: False  # the store's, once the run begins
        # set by from_crawler, from the DISCOVERY_* settings (or by calling configure())
        self.config = DiscoveryConfig()
        self.scope: Scope | None = None
        self.traps = TrapGuard(self.config.trap_limit)
        self.since: datetime | None = None
        self._probed: set[str] = set()
        self._judged = RecentMap(LINK_MEMORY)
        self._seen = RecentMap(LINK_MEMORY)
        self.bounds = BoundNotice(None, ResponseBounds())  # work per response (crawler/bounds.py)

    def configure(self, config: DiscoveryConfig) -> None:
        self.config = config
        self.scope = Scope(self.seed_urls, config)
        self.traps = TrapGuard(config.trap_limit)
        self.since = (datetime.now(timezone.utc) - timedelta(hours=config.since_hours)
                      if config.since_hours else None)
        self._probed = set()
        self._judged = RecentMap(LINK_MEMORY)
        self._seen = RecentMap(LINK_MEMORY)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(DiscoveryConfig.from_settings(crawler.settings))
        spider.bounds = BoundNotice(crawler, ResponseBounds.from_settings(crawler.settings))
        spider.max_url_length = crawler.settings.getint("URLLENGTH_LIMIT")
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def _opened(self) -> None:
        # the run begins with the crawler's extensions, after the spider is made
        self._known_article = run_context(self.crawler).store.is_known_article_url

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seed_urls:
            request = self.follow_url(url, seed=True, source="seed")
            if request is not None:
                yield request
        for url in self.seed_urls if self.config.probe else ():
            for request in self.probes(url):
                yield request

    def probes(self, seed: str) -> Iterator[Request]:
        """The usual feed and sitemap paths of a seed's site, once per site and run."""
        parts = urlsplit(seed)
        origin = "%s://%s" % (parts.scheme, parts.netloc)
        if origin in self._probed:
            return
        self._probed.add(origin)
        for path in PROBE_PATHS:
            request = self.follow_url(origin + path, depth=0, document=True, source="probe")
            if request is not None:
                yield request

    # -- scheduling ---------------------------------------------------------------------
    def follow_url(self, url: str, *, seed: bool = False, depth: int = 0, document: bool = False,
                   source: str = "", any_site: bool = False) -> Request | None:
        """A request for `url` if it is in scope, new and within the page budget.

        `depth` is the link depth the request gets: a page one hop from its referrer, a feed or
        sitemap (`document`) at its referrer's depth (see crawler/scope.py). `any_site`: a
        sitemap named in robots.txt may live on another host (a CDN); its pages are scoped.
        """
        if seed:
            try:
                return self._request(canonicalize(url), depth, source, None)
            except InvalidURL:
                return None
        try:
            judged = self._judge(canonical_parts(url), document, any_site)
        except InvalidURL:
            self.crawler.stats.inc_value("discovery/invalid_link")
            return None
        if isinstance(judged, str):
            if judged:
                self.crawler.stats.inc_value(judged)
            return None
        return self._follow_judged(judged[0], judged[1], depth, source, (document, any_site))

    def _judge(self, parts: SplitResult, document: bool,
               any_site: bool) -> str | tuple[str, tuple[str, str] | None]:
        """What a link to the canonical URL of `parts` is, whatever page it is on: the URL and its
        trap shape, or the stat that counts why it is not followed ("" for none)."""
        url = urlunsplit(parts)
        if not document and SKIP_EXTENSIONS.search(parts.path):  # sitemaps may be .xml.gz
            return ""
        assert self.scope is not None, "configure() the spider first"
        rejected = self.scope.rejects(url, parts.hostname or "", page=not document, any_site=any_site)
        if rejected is not None:
            return "discovery/" + rejected
        return url, trap_shape(url, parts) if self.config.trap_limit else None

    def _judge_link(self, base: str, href: str, document: bool) -> str | tuple[str, tuple[str, str] | None]:
        """_judge() of a link on a page; most links go out of the site: that needs only the host."""
        plain = plain_host_and_path(href)
        if plain is not None:
            host, path = plain
            if not document and SKIP_EXTENSIONS.search(path):
                return ""
            assert self.scope is not None, "configure() the spider first"
            if not self.scope.covers(host):
                return "discovery/out_of_scope"
        try:
            return self._judge(canonical_link_parts(base, href), document, False)
        except InvalidURL:  # one bad link costs that link only
            return "discovery/invalid_link"

    def _follow_judged(self, url: str, trap: tuple[str, str] | None, depth: int,
                       source: str, judged_as: tuple[bool, bool] = (False, False)) -> Request | None:
        """The checks that depend on the link's page and on the run so far."""
        if self.config.max_depth and depth > self.config.max_depth:
            self.crawler.stats.inc_value("discovery/too_deep")
            return None
        seen = self._seen.get(url)
        if seen == _REQUESTED:  # the scheduler's dupefilter would drop it: spare the work
            return None
        if seen == _KNOWN or self._known_article(url):
            self._seen[url] = _KNOWN  # known stays known for the run
            self.crawler.stats.inc_value("discovery/known_article")
            return None
        if trap is not None and not self.traps.allows(trap[1]):
            self._refuse_trap(*trap)
            return None
        growth = growth_families(url) if self.config.trap_limit else ()
        growing = self.traps.growing(growth)
        if growing is not None:
            self._refuse_trap(*growing)
            return None
        return self._request(url, depth, source, trap, growth, judged_as)

    def _request(self, url: str, depth: int, source: str, trap: tuple[str, str] | None,
                 growth: tuple[tuple[str, str, int], ...] = (),
                 judged_as: tuple[bool, bool] | None = None) -> Request | None:
        if self.max_url_length and len(url) > self.max_url_length:
            self._refuse_long_url(url)
            return None
        if self.max_pages and self.scheduled >= self.max_pages:
            self.crawler.stats.inc_value("discovery/over_budget")
            return None
        self.scheduled += 1
        self._seen[url] = _REQUESTED
        meta: dict[str, Any] = {CONDITIONAL_META_KEY: True, DEPTH_META_KEY: depth}
        if source:
            meta[SOURCE_META_KEY] = source
        if trap is not None:
            meta[TRAP_META_KEY] = trap[1]
        if growth:
            meta[GROWTH_META_KEY] = growth
        if judged_as is not None:
            meta[JUDGED_META_KEY] = judged_as
        return Request(url, callback=self.parse, errback=self.on_error, meta=meta)

    def _refuse_long_url(self, url: str) -> None:
        """Scrapy's UrlLengthMiddleware would drop it with a line at INFO: say so once, count each."""
        self.crawler.stats.inc_value("discovery/url_too_long")
        if not self._named_long_url:
            self._named_long_url = True
            logger.warning("not following a URL of %d characters, past URLLENGTH_LIMIT (%d): %s... "
                           "(others counted in discovery/url_too_long)", len(url), self.max_url_length, url[:200])

    def judge_redirect(self, request: Request) -> str | None:
        """Why a redirect's target is not followed ("out_of_scope", "denied", "not_allowed", "trap",
        "invalid_link"), or None: it is judged as the link that led to the first request was.

        Called by crawler/redirect_scope.py once per hop. A seed's redirects are followed, as the
        seed is; a followed hop counts in its trap shape and growth families, as a link does.
        """
        judged_as = request.meta.get(JUDGED_META_KEY)
        if judged_as is None:
            return None
        document, any_site = judged_as
        try:
            judged = self._judge(canonical_parts(request.url), document, any_site)
        except InvalidURL:
            return "invalid_link"
        if isinstance(judged, str):  # "": a file extension we skip as a link; a server sent us there
            return judged.rpartition("/")[2] or None
        url, trap = judged
        if trap is not None and not self.traps.allows(trap[1]):
            self._refuse_trap(*trap)
            return "trap"
        growth = growth_families(url) if self.config.trap_limit else ()
        growing = self.traps.growing(growth)
        if growing is not None:
            self._refuse_trap(*growing)
            return "trap"
        if trap is not None:
            self.traps.add(trap[1])
        self.traps.grow(growth)
        return None

    def _refuse_trap(self, kind: str, shape: str) -> None:
        self.crawler.stats.inc_value("discovery/trap_refused")
        if self.traps.first_refusal(shape):
            self.crawler.stats.inc_value("discovery/trap/" + kind)
            logger.warning("URL trap (%s): stopped following %s after %d URLs (DISCOVERY_TRAP_LIMIT)",
                           kind, shape, self.traps.limit)

    # The scheduler's dupefilter decides what is new: count there, not per link seen.
    def _request_scheduled(self, request: Request) -> None:
        meta = request.meta
        if SOURCE_META_KEY in meta and not meta.get("redirect_times"):
            self.crawler.stats.inc_value("discovery/found/" + meta[SOURCE_META_KEY])
            shape = meta.get(TRAP_META_KEY)
            if shape is not None:
                self.traps.add(shape)
            self.traps.grow(meta.get(GROWTH_META_KEY, ()))

    def _request_dropped(self, request: Request) -> None:
        meta = request.meta
        if SOURCE_META_KEY in meta and not meta.get("redirect_times"):
            self.crawler.stats.inc_value("discovery/found/" + meta[SOURCE_META_KEY], -1)
            shape = meta.get(TRAP_META_KEY)
            if shape is not None:
                self.traps.remove(shape)
            self.traps.shrink(meta.get(GROWTH_META_KEY, ()))

    def _follow_all(self, base: str, hrefs: Iterable[str], depth: int, *, document: bool = False,
                    source: str) -> Iterator[Request]:
        parts = urlsplit(base)
        origin = "%s://%s" % (parts.scheme, parts.netloc)
        judged_links = self._judged
        rejected: dict[str, int] = {}  # counted once at the end: stats calls are not cheap
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith(_NOT_LINKS):
                continue
            key = (join_key(href, base, origin, parts.scheme), document)
            judged = judged_links.get(key)
            if judged is None:
                judged = self._judge_link(base, href, document)
                judged_links[key] = judged
            if isinstance(judged, str):
                if judged:
                    rejected[judged] = rejected.get(judged, 0) + 1
                continue
            request = self._follow_judged(judged[0], judged[1], depth, source, (document, False))
            if request is not None:
                yield request
        stats = self.crawler.stats
        for stat, count in rejected.items():
            stats.inc_value(stat, count)

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Sitemaps named in robots.txt are seeds too (at depth 0, as documents).

        Only an in-scope site's robots.txt counts; the sitemaps it names may be on any host.
        """
        if self.scope is None or not self.scope.covers(urlsplit(request.url).hostname or ""):
            return
        sitemaps = list(getattr(getattr(robotparser, "rp", None), "sitemaps", None) or [])
        for url in sitemaps:
            follow = self.follow_url(url, depth=0, document=True, source="robots", any_site=True)
            if follow is not None:
                self.crawler.engine.crawl(follow)

    # -- callbacks ----------------------------------------------------------------------
    def parse(self, response: Response) -> Iterator[Any]:
        if response.status == 304:  # unchanged since the last run: follow its links from the archive
            self.crawler.stats.inc_value("discovery/not_modified")
            previous = archived_response(self.crawler, response)
            if previous is not None:
                yield from self.follow_links(previous, _content_type(previous))
            return
        content_type = _content_type(response)
        found = parse_document(response.body, content_type, self.since, self.bounds.config.limits)
        if found is None and isinstance(response, TextResponse):
            yield page_of(response)  # the same Page another project's spider yields
        yield from self._follow(response, found)

    def follow_links(self, response: Response, content_type: str) -> Iterator[Request]:
        """Requests for what a feed, sitemap or page points at."""
        yield from self._follow(response, parse_document(response.body, content_type, self.since,
                                                         self.bounds.config.limits))

    def _follow(self, response: Response, found: Discovered | None) -> Iterator[Request]:
        depth = response.meta.get(DEPTH_META_KEY, 0)
        if found is not None:  # a feed or sitemap
            stats = self.crawler.stats
            stats.inc_value("discovery/" + found.kind)
            if found.too_old:
                stats.inc_value("discovery/too_old", found.too_old)
            if found.bound:
                self.bounds.hit(found.bound, response.url)
            yield from self._follow_all(response.url, found.documents, depth, document=True,
                                        source=found.kind)
            yield from self._follow_all(response.url, found.pages, depth + 1, source=found.kind)
            return
        if not isinstance(response, TextResponse):
            return
        # runs in the reactor for every page: a scan of the text, no DOM (crawler/links.py)
        links = scan_links(response.text, _FEED_TYPES, self.bounds.config.max_links)
        if links.cut:
            self.bounds.hit("links", response.url)
        base = response.url
        if links.base is not None:  # relative links are relative to <base href>, as in a browser
            try:
                joined = urljoin(base, links.base.strip())
            except ValueError:  # "http://[/": no base; the page's links still count
                joined = ""
                self.crawler.stats.inc_value("discovery/invalid_link")
            if joined.startswith(("http://", "https://")):
                base = joined
        yield from self._follow_all(base, links.feeds, depth, document=True, source="alternate")
        yield from self._follow_all(base, links.anchors, depth + 1, source="html")

    def on_error(self, failure: Any) -> None:
        if failure.check(HttpError):
            return  # archived like any response, counted by status in downloader stats
        if failure.check(RedirectRefused):
            return  # counted and named where it was refused
        if failure.check(IgnoreRequest):
            self.crawler.stats.inc_value("fetch/ignored")  # robots.txt, refused address
            return
        self.crawler.stats.inc_value("fetch/errors")
        request = getattr(failure, "request", None)
        logger.warning("fetch failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage())


def _content_type(response: Response) -> str:
    value = response.headers.get(b"Content-Type") or b""
    return value.split(b";")[0].strip().lower().decode("latin-1")
