"""Fetch counters per site, for the run report's per-site figures (pipelines/site_figures.py).

A downloader middleware just below RetryMiddleware (550), so that it sees a request's last
word only: the response retrying kept, or the failure retrying gave up on (a named one before
FetchErrorMiddleware, at 545, turns it into FetchLost), or the refusal of a middleware's
process_request (robots.txt, a known article, a private address, a redirect out of scope).
Stats, under `sites/<site>/`:
    pages, status/<code>      each response to a page, feed or sitemap request
    error/<kind>              timeout, dns, refused, connection_lost, ... (a lost fetch)
    skipped/<reason>          robots, known_article, redirect_refused, refused_private, ignored
Page requisites (crawler/requisites.py counts them) and robots.txt itself are left out:
they are not pages.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from twisted.internet import error as net

from crawler.fetch_errors import NamedFetchError
from crawler.redirect_scope import RedirectRefused
from crawler.requisite_meta import REQUISITE_META_KEY
from crawler.resume_skip import KnownArticle
from pipelines.merge import site_of

PREFIX = "sites/"
ROBOTS_REFUSAL = "Forbidden by robots.txt"  # Scrapy's RobotsTxtMiddleware's IgnoreRequest
PRIVATE_REFUSAL = "non-public address"  # crawler/safety.py's
# Scrapy's download errors (2.14+), then Twisted's, most specific first
ERROR_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (CannotResolveHostError, "dns"),
    (DownloadTimeoutError, "timeout"),
    (DownloadConnectionRefusedError, "refused"),
    (ResponseDataLossError, "data_loss"),
    (DownloadCancelledError, "cancelled"),
    (DownloadFailedError, "failed"),
    (net.DNSLookupError, "dns"),
    (net.TimeoutError, "timeout"),
    (net.TCPTimedOutError, "timeout"),
    (net.ConnectionRefusedError, "refused"),
    (net.ConnectionLost, "connection_lost"),
    (net.ConnectionDone, "connection_lost"),
    (net.ConnectError, "connect"),
)


def error_kind(exception: BaseException) -> str:
    """The name a lost fetch is counted under."""
    if isinstance(exception, NamedFetchError):
        return exception.kind
    for cls, kind in ERROR_KINDS:
        if isinstance(exception, cls):
            return kind
    name = type(exception).__name__
    if name in ("ResponseNeverReceived", "ResponseFailed", "_ResponseFailed"):  # twisted.web's, causes inside
        causes = getattr(exception, "reasons", None) or []
        for cause in causes:
            inner = getattr(cause, "value", None)
            if isinstance(inner, BaseException):
                return error_kind(inner)
        return "connection_lost"
    return name.lower()


def skip_reason(refusal: IgnoreRequest) -> str:
    """Why a request was never sent (or its answer never kept)."""
    if isinstance(refusal, KnownArticle):
        return "known_article"
    if isinstance(refusal, RedirectRefused):
        return "redirect_refused"
    message = str(refusal)
    if message.startswith(ROBOTS_REFUSAL):
        return "robots"
    if message.startswith(PRIVATE_REFUSAL):
        return "refused_private"
    return "ignored"


def _counted(request: Request) -> bool:
    meta = request.meta
    return not meta.get(REQUISITE_META_KEY) and not meta.get("dont_obey_robotstxt")


class SiteStatsMiddleware:
    """Downloader middleware: pages, fetch errors and refusals counted per site."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteStatsMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if _counted(request):
            site = PREFIX + site_of(response.url)
            self.stats.inc_value(site + "/pages")
            self.stats.inc_value("%s/status/%d" % (site, response.status))
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if not _counted(request):
            return None
        if isinstance(exception, IgnoreRequest):
            # a redirect refused belongs to the page that redirected, not to where it pointed
            sources = request.meta.get("redirect_urls") or [request.url]
            url = sources[0] if isinstance(exception, RedirectRefused) else request.url
            self.stats.inc_value("%s%s/skipped/%s" % (PREFIX, site_of(url), skip_reason(exception)))
        else:
            self.stats.inc_value("%s%s/error/%s" % (PREFIX, site_of(request.url), error_kind(exception)))
        return None
