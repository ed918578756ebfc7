"""The news spider: from seeds (pages, feeds, sitemaps) to every page within the seeds' hosts."""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.http import Response, TextResponse

from crawler.capture import RECORD_META_KEY
from crawler.conditional import CONDITIONAL_META_KEY, archived_response
from crawler.discovery import FEED_TYPES, looks_like_xml, parse_xml_document
from pipelines.canonical import InvalidURL, canonicalize, host_of
from pipelines.scrapy_adapters import run_context

logger = logging.getLogger(__name__)

# Links to these are never pages: skip them before they cost a request.
SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4[av]|webm|avi|mov|ogg|wav|flac|pdf|zip|"
    r"gz|tgz|rar|7z|exe|dmg|apk|css|js|woff2?|ttf|eot|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)


def split_seeds(seeds: str | Iterable[str]) -> list[str]:
    if isinstance(seeds, str):
        return [s for s in re.split(r"[\s,]+", seeds) if s]
    return [s for s in seeds if s]


class NewsSpider(Spider):
    name = "news"

    def __init__(self, seeds: str | Iterable[str] = "", max_pages: int | str = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed_urls = [canonicalize(s) for s in split_seeds(seeds)]  # InvalidURL names the bad one
        if not self.seed_urls:
            raise ValueError("no seeds: pass seeds=URL[,URL...]")
        self.allowed_hosts = {host_of(u) for u in self.seed_urls}
        self.max_pages = int(max_pages or 0)
        self.scheduled = 0
        self._known_article = lambda url: False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        store = run_context(crawler).store
        spider._known_article = store.is_known_article_url
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seed_urls:
            request = self.follow_url(url, seed=True)
            if request is not None:
                yield request

    # -- scheduling ---------------------------------------------------------------------
    def follow_url(self, url: str, *, seed: bool = False) -> Request | None:
        """A request for `url` if it is in scope, new and within the page budget."""
        try:
            url = canonicalize(url)
        except InvalidURL:
            return None
        if host_of(url) not in self.allowed_hosts or SKIP_EXTENSIONS.search(url.split("?")[0]):
            return None
        if not seed and self._known_article(url):
            self.crawler.stats.inc_value("discovery/known_article")
            return None
        if self.max_pages and self.scheduled >= self.max_pages:
            self.crawler.stats.inc_value("discovery/over_budget")
            return None
        self.scheduled += 1
        return Request(url, callback=self.parse, errback=self.on_error,
                       meta={CONDITIONAL_META_KEY: True})

    def _follow_all(self, base: str, hrefs: Iterable[str]) -> Iterator[Request]:
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
                continue
            request = self.follow_url(urljoin(base, href))
            if request is not None:
                yield request

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Sitemaps named in robots.txt are seeds too."""
        sitemaps = list(getattr(getattr(robotparser, "rp", None), "sitemaps", None) or [])
        for url in sitemaps:
            follow = self.follow_url(url)
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
        if isinstance(response, TextResponse) and not looks_like_xml(response.body, content_type):
            yield self.page_item(response, content_type)
        yield from self.follow_links(response, content_type)

    def follow_links(self, response: Response, content_type: str) -> Iterator[Request]:
        """Requests for what a feed, sitemap or page points at."""
        if looks_like_xml(response.body, content_type):
            found = parse_xml_document(response.body)
            self.crawler.stats.inc_value("discovery/" + found.kind)
            yield from self._follow_all(response.url, found.documents + found.pages)
            return
        if not isinstance(response, TextResponse):
            return
        feeds = response.xpath(
            "//link[@rel='alternate'][%s]/@href" % " or ".join("@type='%s'" % t for t in FEED_TYPES)
        ).getall()
        yield from self._follow_all(response.url, feeds)
        yield from self._follow_all(response.url, response.xpath("//a/@href").getall())

    def page_item(self, response: Response, content_type: str) -> dict[str, Any]:
        location = response.meta.get(RECORD_META_KEY)
        redirected = []
        for url in response.meta.get("redirect_urls", []):
            try:
                redirected.append(canonicalize(url))
            except InvalidURL:
                continue
        return {
            "url": response.url,
            "body": response.body,
            "status": response.status,
            "content_type": content_type,
            "encoding": _charset(response),
            "fetched_at": location.date if location else None,
            "warc": location.to_dict() if location else None,
            "redirected_from": redirected,
        }

    def on_error(self, failure: Any) -> None:
        if failure.check(HttpError):
            return  # archived like any response, counted by status in downloader stats
        if failure.check(IgnoreRequest):
            self.crawler.stats.inc_value("fetch/ignored")  # robots.txt, refused address
            return
        self.crawler.stats.inc_value("fetch/errors")
        request = getattr(failure, "request", None)
        logger.warning("fetch failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage())


def _content_type(response: Response) -> str:
    value = response.headers.get(b"Content-Type") or b""
    return value.split(b";")[0].strip().lower().decode("latin-1")


def _charset(response: Response) -> str | None:
    value = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    match = re.search(r"charset=[\"']?([\w.:-]+)", value, re.IGNORECASE)
    return match.group(1) if match else None
