"""The archive as a Scrapy add-on: `ADDONS = {"crawler.addon.NewsArchiveAddon": 0}` in any project.

It registers what makes a crawl an archive: the download handler that keeps the bytes as they
came, the capture / conditional-request / private-address middlewares, the page-requisites spider
middleware, the item pipeline, the run extension and the disk-backed dupefilter. It also supplies
the ARCHIVE_* / FETCH_* / EXTRACT_* / DEDUPE_* / DISCOVERY_* / REQUISITES_* defaults of
crawler/settings.py, at add-on priority, so a project sets only what it changes. A component the
project already lists (or disables with None) keeps its place.

A spider of that project yields `page_of(response)` for each page it wants as an article; the
requisites of each HTML page its callbacks handle are fetched and archived too (mixing
crawler.requisites.RequisiteCallbacks into the spider lets a saved frontier keep their requests).
"""
from __future__ import annotations

import re
from typing import Any

from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler.capture import RECORD_META_KEY
from pipelines.canonical import InvalidURL, canonicalize
from pipelines.values import Page

HANDLER = "crawler.download.CapturingHTTP11DownloadHandler"
COMPONENTS: dict[str, dict[str, int | None]] = {
    "DOWNLOADER_MIDDLEWARES": {
        # every redirect hop judged like a link (scope, deny, traps), before robots.txt and the fetch
        "crawler.redirect_scope.RedirectScopeMiddleware": 90,
        # just before Scrapy's RedirectMiddleware (600) on the way back: a chain too long is a lost page
        "crawler.redirect_scope.RedirectLimitMiddleware": 610,
        # Scrapy's meta refresh, but a page with a malformed <base href> is not lost for it
        "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
        "crawler.redirect_scope.MetaRefreshMiddleware": 580,
        # robots.txt as RFC 9309 reads it (5xx: disallow all), 500 KiB at most, in place of Scrapy's
        "crawler.robots.RobotsMiddleware": 100,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        # Retry-After on 429/503: that host's slot waits; before Scrapy's RetryMiddleware (550) on the way back
        "crawler.retry_after.RetryAfterMiddleware": 555,
        # validators from the last capture: unchanged feeds and listings answer 304
        "crawler.conditional.ConditionalRequestMiddleware": 560,
        # a resumed crawl's saved frontier: no article the collection already holds is fetched again
        "crawler.resume_skip.ResumeSkipMiddleware": 540,
        # just below RetryMiddleware (550): a failure it gave up on, counted and named once per kind
        "crawler.fetch_errors.FetchErrorMiddleware": 545,
        # between the two: each page's last word (response, lost fetch, refusal) counted per site
        "crawler.site_stats.SiteStatsMiddleware": 549,
        # Scrapy's decompression, with br that decodes where brotlipy has the name and failures named
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
        "crawler.fetch_errors.DecompressionMiddleware": 590,
        # next to the downloader: sees raw responses before redirect, retry and decompression
        "crawler.capture.CaptureMiddleware": 950,
        # later still in the request direction, first in the response direction
        "crawler.safety.PrivateAddressMiddleware": 960,
    },
    # requests for each HTML page's requisites; nearest the spider, so Referer and depth apply to them
    "SPIDER_MIDDLEWARES": {"crawler.requisites.RequisiteMiddleware": 950},
    "ITEM_PIPELINES": {"crawler.article_pipeline.ArticlePipeline": 300},
    "EXTENSIONS": {"crawler.run_extension.CrawlRun": 500},
}
# seen requests on disk (JOBDIR) with a bounded cache, not a set in memory that grows per URL
DUPEFILTER = "crawler.dupefilter.DiskDupeFilter"
# the groups of crawler/settings.py that belong to the archive, not to a Scrapy project
OWN_PREFIXES = ("ARCHIVE_", "FETCH_", "EXTRACT_", "DEDUPE_", "DISCOVERY_", "REQUISITES_")


class NewsArchiveAddon:
    """Scrapy add-on: the archive's components and settings in someone else's project."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, components in COMPONENTS.items():
            _add_components(settings, name, components)
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        for scheme in ("http", "https"):
            handlers.setdefault(scheme, HANDLER)
        settings.set("DOWNLOAD_HANDLERS", handlers, settings.getpriority("DOWNLOAD_HANDLERS") or 0)
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, "addon")  # a project's own choice outranks it
        settings.set("SCHEDULER", "crawler.frontier_scheduler.FrontierScheduler", "addon")  # failed writes: one line
        for name, value in own_defaults().items():
            settings.set(name, value, "addon")


def _add_components(settings: BaseSettings, name: str, components: dict[str, int | None]) -> None:
    """Add what the project's `name` dict does not list yet (by path), keeping its priority."""
    merged = settings.getdict(name)
    for path, order in components.items():
        merged.setdefault(path, order)
    settings.set(name, merged, settings.getpriority(name) or 0)


def own_defaults() -> dict[str, Any]:
    """The archive's settings and their defaults, as crawler/settings.py documents them."""
    from crawler import settings as defaults

    return {name: getattr(defaults, name) for name in dir(defaults) if name.startswith(OWN_PREFIXES)}


def page_of(response: Response) -> Page:
    """The `Page` the item pipeline takes, for a response the capture middleware archived."""
    location = response.meta.get(RECORD_META_KEY)
    redirected = []
    for url in response.meta.get("redirect_urls", []):
        try:
            redirected.append(canonicalize(url))
        except InvalidURL:
            continue
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return Page(
        url=response.url,
        body=response.body,
        status=response.status,
        content_type=content_type.split(";")[0].strip().lower(),
        encoding=charset.group(1) if charset else None,
        fetched_at=location.date if location else None,
        warc=location.to_dict() if location else None,
        redirected_from=redirected,
    )
