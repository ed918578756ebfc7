"""Page requisites: what a browser needs to render an archived page, fetched and archived with it.

For every HTML page a spider's callback handled (a 200, or a 304 whose archived copy is read), the
spider middleware here adds requests for the page's stylesheets, images, scripts, fonts, icons and
posters (crawler/requisite_scan.py finds them), and for what each stylesheet pulls in (`@import`,
`url()`), up to REQUISITES_MAX_HOPS embed hops (page -> CSS = 1, CSS -> font = 2, as Heritrix counts
transitive embeds). A requisite request carries its hop in `meta["requisite"]`; its callback never
yields an item (requisites are never extracted) and no link of it is followed as a page.

A requisite may be on any host (a CDN): the crawl's page scope, traps and page budget are not asked
(`allow_offsite` for Scrapy's offsite filter too). Everything else still applies, because it sits in
the downloader: robots.txt of its host, the private-address guard, politeness per host (its own
download slot), capture before decompression, revisits; its size is capped per request at
REQUISITES_MAX_SIZE (`download_maxsize`: what came up to the cap is archived as truncated). It is
asked for conditionally when the crawl is (FETCH_CONDITIONAL), and the dupefilter fetches each URL
once a run (a `--resume` knows the ones the stopped run fetched).

Counted under `requisites/`: requested, page_cap, hop_cap, failed here; archived, bytes,
not_modified, too_big where the exchange is written (crawler/capture.py).
"""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.conditional import CONDITIONAL_META_KEY, archived_response
from crawler.links import RecentMap
from crawler.requisite_css import css_requisites
from crawler.requisite_found import Requisite
from crawler.requisite_meta import KIND_META_KEY, REQUISITE_META_KEY, TOO_BIG_META_KEY, is_requisite
from crawler.requisite_scan import html_requisites

logger = logging.getLogger(__name__)

STAT = "requisites/"
# Below the pages (priority 0). Scrapy's scheduler picks the download slot (host) first, then the
# highest priority in it: on the page's own host its requisites wait behind its pages, so article
# fetching is never starved, and a CDN's slot fetches requisites as it frees up. The pages run out
# before the crawl ends, so every page's requisites are still fetched in the same run.
PRIORITY = -1
_NO_BOUND = 1 << 30  # REQUISITES_PER_PAGE = 0
_STYLESHEET_KINDS = frozenset(("stylesheet", "import"))
_CSS_TYPES = frozenset(("text/css",))
# Never fetched whatever refers to them: video and audio bodies (a scanner's choice for elements;
# this holds for url() and og: references too).
_MEDIA = re.compile(r"\.(mp4|m4v|m4a|mov|webm|mkv|avi|ogv|oga|ogg|opus|mp3|wav|flac|aac|m3u8|mpd)$", re.I)
_ACCEPT = {  # what a browser asks with, so a server that negotiates sends what a browser gets
    "stylesheet": b"text/css,*/*;q=0.1",
    "import": b"text/css,*/*;q=0.1",
    "image": b"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "icon": b"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "poster": b"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
}
RECENT = 8192  # requisite URLs requested lately, remembered (the site's CSS is on every page)


@dataclass(frozen=True)
class RequisiteConfig:
    """REQUISITES_*: whether and how far page requisites are fetched."""

    enabled: bool = True
    max_hops: int = 3
    per_page: int = 150  # requisites one document (page or stylesheet) adds; 0: no bound
    max_size: int = 16 * 1024 * 1024  # bytes a requisite may have; 0: DOWNLOAD_MAXSIZE alone

    @classmethod
    def from_settings(cls, settings: Any) -> RequisiteConfig:
        """Read and check the REQUISITES_* settings; SettingError names the first bad one."""
        from crawler.crawl_config import SETTINGS

        def read(name: str, default: Any) -> Any:
            return default if settings.get(name) is None else SETTINGS[name].read(settings, name)

        return cls(enabled=read("REQUISITES_ENABLED", cls.enabled),
                   max_hops=read("REQUISITES_MAX_HOPS", cls.max_hops),
                   per_page=read("REQUISITES_PER_PAGE", cls.per_page),
                   max_size=read("REQUISITES_MAX_SIZE", cls.max_size))


class RequisiteMiddleware:
    """Spider middleware: requests for the requisites of each HTML page a callback handled."""

    def __init__(self, crawler: Crawler, config: RequisiteConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self._recent = RecentMap(RECENT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequisiteMiddleware:
        config = RequisiteConfig.from_settings(crawler.settings)
        if not config.enabled or config.max_hops < 1:
            raise NotConfigured
        middleware = cls(crawler, config)
        crawler.signals.connect(middleware._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(middleware._dropped, signal=signals.request_dropped)
        return middleware

    # -- the page's output, and its requisites after it ----------------------------------
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from result
        yield from self.of_page(response)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for one in result:
            yield one
        for request in self.of_page(response):
            yield request

    def of_page(self, response: Response) -> Iterator[Request]:
        """The requests for a page's requisites (none for a requisite, a feed or a sitemap)."""
        if is_requisite(response.request):
            return
        page: Response | None = response
        if response.status == 304:  # unchanged: its requisites are those of the archived copy
            page = archived_response(self.crawler, response)
        if not isinstance(page, HtmlResponse):
            return
        found, cut = html_requisites(page.text, page.url, self.config.per_page or _NO_BOUND)
        if cut:
            self._count("page_cap")
        yield from self._requests(found, 1)

    # -- a requisite's answer -----------------------------------------------------------
    def parse(self, response: Response) -> Iterator[Request]:
        """A requisite arrived (or answered 304): a stylesheet's own requisites, the next hop."""
        hop = int(response.meta.get(REQUISITE_META_KEY) or 1)
        document: Response | None = response
        if response.status == 304:  # its fonts and images are still asked for (conditionally)
            if not self._stylesheet(response):
                return
            document = archived_response(self.crawler, response)
        if document is None or not self._stylesheet(document):
            return
        limit = self.config.per_page or _NO_BOUND
        found, cut = css_requisites(_text_of(document), document.url, limit)
        if cut:
            self._count("page_cap")
        if hop >= self.config.max_hops:
            if found:
                self._count("hop_cap", len(found))
            return
        yield from self._requests(found, hop + 1)

    def failed(self, failure: Any) -> None:
        """A requisite not fetched: refused (robots.txt, a private address), an HTTP error or a lost
        fetch; one too big is counted where it was cut, as too_big."""
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get(TOO_BIG_META_KEY):
            return
        self._count("failed")
        url = getattr(request, "url", "?")
        if failure.check(HttpError, IgnoreRequest):  # archived, or counted where refused
            logger.debug("requisite not fetched: %s (%s)", url, failure.getErrorMessage())
            return
        logger.info("requisite not fetched: %s (%s)", url, failure.getErrorMessage())

    # -- making requests ------------------------------------------------------------------
    def _requests(self, found: list[Requisite], hop: int) -> Iterator[Request]:
        callback, errback = self._callbacks()
        recent = self._recent
        for requisite in found:
            url = requisite.url
            if recent.get(url) or not url.startswith(("http://", "https://")) or _MEDIA.search(
                    url.partition("?")[0]):
                continue
            recent[url] = True
            meta: dict[str, Any] = {
                REQUISITE_META_KEY: hop,
                KIND_META_KEY: requisite.kind,
                CONDITIONAL_META_KEY: True,
                "allow_offsite": True,  # on any host, for a project whose spider names its domains
            }
            if self.config.max_size:
                meta["download_maxsize"] = self.config.max_size
            accept = _ACCEPT.get(requisite.kind, b"*/*")
            try:
                yield Request(url, callback=callback, errback=errback, priority=PRIORITY, meta=meta,
                              headers={b"Accept": accept})
            except ValueError:  # a URL Scrapy will not take: that requisite only
                self._count("failed")

    def _callbacks(self) -> tuple[Any, Any]:
        """The spider's own requisite methods when it has them (RequisiteCallbacks): a request naming
        a spider method is saved with the frontier (JOBDIR); ours would be kept in memory only."""
        spider = self.crawler.spider
        if isinstance(spider, RequisiteCallbacks):
            return spider.parse_requisite, spider.requisite_failed
        return self.parse, self.failed

    @staticmethod
    def _stylesheet(response: Response) -> bool:
        kind = response.meta.get(KIND_META_KEY)
        return kind in _STYLESHEET_KINDS or _content_type(response) in _CSS_TYPES

    def _count(self, what: str, count: int = 1) -> None:
        self.stats.inc_value(STAT + what, count)

    # requested: each URL that passed the dupefilter (a retry or a redirect hop is the same one)
    def _scheduled(self, request: Request) -> None:
        if is_requisite(request) and not request.meta.get("redirect_times") and not request.meta.get(
                "retry_times"):
            self._count("requested")

    def _dropped(self, request: Request) -> None:
        if is_requisite(request) and not request.meta.get("redirect_times") and not request.meta.get(
                "retry_times"):
            self._count("requested", -1)


class RequisiteCallbacks:
    """A spider's requisite callbacks, as its own methods: mix it into a spider so that a saved
    frontier (JOBDIR) can name them (the news spider does)."""

    crawler: Crawler

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        middleware = self.crawler.get_spider_middleware(RequisiteMiddleware)
        return middleware.parse(response) if middleware is not None else iter(())

    def requisite_failed(self, failure: Any) -> None:
        middleware = self.crawler.get_spider_middleware(RequisiteMiddleware)
        if middleware is not None:
            middleware.failed(failure)


def _content_type(response: Response) -> str:
    value = response.headers.get(b"Content-Type") or b""
    return value.split(b";")[0].strip().lower().decode("latin-1")


def _text_of(response: Response) -> str:
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", "replace")  # a stylesheet served as something else
