"""Redirects judged like links, and redirect chains that end before their article, named.

Scrapy's RedirectMiddleware follows any `Location` a server sends; the private-address guard
only asks where the target is. A page inside the crawl's scope could so send the crawler to any
site. `RedirectScopeMiddleware` asks the spider about every hop (the news spider's
`judge_redirect`: scope, allow/deny, traps, as for the link that led there) before robots.txt
and the download: a hop it refuses is not fetched, counted in `discovery/redirect_<reason>`
(`discovery/redirect_out_of_scope`, ...) and named once (a WARNING per reason). The 3xx itself
was archived already.

`MetaRefreshMiddleware` is Scrapy's, but a page whose `<base href>` or refresh URL is malformed
("http://[/") is kept as it is (counted in `discovery/invalid_link`) instead of lost with a
ValueError: Scrapy's reads the page's base URL before the spider sees the page.

`RedirectLimitMiddleware` sees a redirect that would go past REDIRECT_MAX_TIMES before Scrapy
drops it at DEBUG: the article at the end of that chain is lost, so it is a fetch error
(`fetch/errors`, `fetch/redirect_limit`) with a WARNING naming the chain's first URL.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})  # those RedirectMiddleware follows
_JUDGED_URL = "redirect_judged"  # meta: the hop already judged (a retry of it is not judged again)


class RedirectRefused(IgnoreRequest):
    """A redirect hop not followed; counted and logged where it was refused."""


class RedirectScopeMiddleware:
    """Downloader middleware (before robots.txt): the spider judges each redirect hop."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._named: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectScopeMiddleware:
        if not crawler.settings.getbool("REDIRECT_ENABLED") and not crawler.settings.getbool("METAREFRESH_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if not meta.get("redirect_times") or meta.get(_JUDGED_URL) == request.url:
            return
        judge = getattr(self.crawler.spider, "judge_redirect", None)
        if judge is None:  # another project's spider: its redirects are its own business
            return
        reason = judge(request)
        meta[_JUDGED_URL] = request.url
        if reason is None:
            return
        stat = "discovery/redirect_" + reason
        self.crawler.stats.inc_value(stat)
        source = (meta.get("redirect_urls") or ["?"])[-1]
        if reason not in self._named:
            self._named.add(reason)
            logger.warning("not following a redirect (%s) from %s to %s (others counted in %s)",
                           reason.replace("_", " "), source, request.url, stat)
        raise RedirectRefused("redirect %s: %s -> %s" % (reason, source, request.url))


class RedirectLimitMiddleware:
    """Downloader middleware (just before RedirectMiddleware on the way back): a chain past
    REDIRECT_MAX_TIMES is a lost page, counted as a fetch error and named."""

    def __init__(self, stats: Any, max_times: int) -> None:
        self.stats = stats
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLimitMiddleware:
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        return cls(crawler.stats, crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response) -> Response:
        meta = request.meta
        if (response.status not in REDIRECT_STATUSES or b"Location" not in response.headers
                or meta.get("dont_redirect") or meta.get("handle_httpstatus_all")
                or response.status in meta.get("handle_httpstatus_list", ())):
            return response
        times = meta.get("redirect_times", 0)
        if times < self.max_times and meta.get("redirect_ttl", self.max_times):
            return response  # RedirectMiddleware follows this one
        self.stats.inc_value("fetch/errors")
        self.stats.inc_value("fetch/redirect_limit")
        start = (meta.get("redirect_urls") or [request.url])[0]
        logger.warning("lost %s: its redirect chain goes past REDIRECT_MAX_TIMES (%d hops), at %s",
                       start, self.max_times, request.url)
        raise RedirectRefused("redirect chain past %d hops from %s" % (self.max_times, start))


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's meta refresh; a malformed base or refresh URL leaves the page as it is."""

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except ValueError:  # urljoin of "http://[/"; the spider counts the bad link in the page
            return response
