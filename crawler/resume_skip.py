"""A resumed crawl fetches no article the collection already holds.

The news spider asks the store whether a link is an article already archived when it finds the
link. A resumed crawl also takes requests out of the frontier Scrapy saved on disk
(JOBDIR/requests.queue): they go to the downloader as they were queued, and the article some
of them lead to may have been written meanwhile (by a copy naming it canonical, a redirect, a
run that ended before this one resumed). `ResumeSkipMiddleware` asks again, at the downloader,
in a resumed crawl only (a saved frontier was there when it started): such a request is dropped
(IgnoreRequest), counted in `resume/known_article`, and the total said once at the end.

Everything else is fetched again, as it must be: a page captured whose item was never written
(the crawl stopped between the two) is no known article, and skipping it would lose the
article; listings and feeds are fetched again because only their fresh copy yields the links
the stopped run had not followed yet.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.jobdir import QUEUE_DIR
from crawler.run_extension import run_context
from pipelines.canonical import InvalidURL, canonicalize

logger = logging.getLogger(__name__)

STAT = "resume/known_article"


class KnownArticle(IgnoreRequest):
    """A request of the saved frontier for an article the collection already holds."""


class ResumeSkipMiddleware:
    """Downloader middleware, before the conditional-request one: in a resumed crawl, a request
    for an article already archived is not fetched again."""

    def __init__(self, is_known_article: Callable[[str], bool], stats: Any) -> None:
        self.is_known_article = is_known_article
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeSkipMiddleware:
        jobdir = crawler.settings.get("JOBDIR")
        # made before the scheduler opens: the folder is there only if a run before saved it
        if not jobdir or not os.path.isdir(os.path.join(jobdir, QUEUE_DIR)):
            raise NotConfigured("not a resumed crawl (no saved frontier in JOBDIR)")
        middleware = cls(run_context(crawler).store.is_known_article_url, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        try:
            url = canonicalize(request.url)
        except InvalidURL:
            return None
        if self.is_known_article(url):
            self.stats.inc_value(STAT)
            raise KnownArticle("%s is an article the collection already holds" % request.url)
        return None

    def spider_closed(self) -> None:
        skipped = self.stats.get_value(STAT, 0)
        if skipped:
            logger.info("resumed crawl: %d requests of the saved frontier were for articles the "
                        "collection already holds, not fetched again (%s)", skipped, STAT)
