"""A resumed crawl fetches no article the collection already holds, nor does a redirect lead to one.

The news spider asks the store whether a link is an article already archived when it finds the
link. Two kinds of request reach the downloader without that question:

- in a resumed crawl, those taken out of the frontier Scrapy saved on disk (JOBDIR/requests.queue):
  they were queued as they were, and the article some lead to may have been written meanwhile
  (by a copy naming it canonical, or a redirect to it). Asked again here in a resumed crawl only
  (a saved frontier was there when it started); one dropped is counted in `resume/known_article`,
  and the total said once at the end.
- a redirect's next hop (Scrapy's RedirectMiddleware makes it): a link to an alias not known yet
  (`/old/slug`, fetched for the first time) sends the crawler to an article it may hold already.
  The 3xx was archived and made its source an alias of the target; fetching the target again
  adds nothing. Counted in `discovery/redirect_known_article`, as a link is in
  `discovery/known_article`.

A request dropped is an IgnoreRequest. A seed (and where its redirects lead) is fetched as the
spider fetches seeds, known or not.

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
from scrapy.exceptions import IgnoreRequest

from crawler.jobdir import QUEUE_DIR
from crawler.requisite_meta import REQUISITE_META_KEY
from crawler.run_extension import run_context
from crawler.spiders.news import SOURCE_META_KEY
from pipelines.canonical import InvalidURL, canonicalize

logger = logging.getLogger(__name__)

STAT = "resume/known_article"
REDIRECT_STAT = "discovery/redirect_known_article"


class KnownArticle(IgnoreRequest):
    """A request of the saved frontier for an article the collection already holds."""


class ResumeSkipMiddleware:
    """Downloader middleware, before the conditional-request one: a request of a resumed crawl's
    saved frontier, or a redirect's next hop, for an article already archived is not fetched."""

    def __init__(self, is_known_article: Callable[[str], bool], stats: Any, resumed: bool) -> None:
        self.is_known_article = is_known_article
        self.stats = stats
        self.resumed = resumed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeSkipMiddleware:
        jobdir = crawler.settings.get("JOBDIR")
        # made before the scheduler opens: the folder is there only if a run before saved it
        resumed = bool(jobdir) and os.path.isdir(os.path.join(jobdir, QUEUE_DIR))
        middleware = cls(run_context(crawler).store.is_known_article_url, crawler.stats, resumed)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        meta = request.meta
        hop = bool(meta.get("redirect_times"))
        if not (hop or self.resumed) or meta.get(SOURCE_META_KEY) == "seed" or meta.get(REQUISITE_META_KEY):
            return None  # a requisite is never an article: fetched once a run, by the dupefilter
        try:
            url = canonicalize(request.url)
        except InvalidURL:
            return None
        if self.is_known_article(url):
            self.stats.inc_value(REDIRECT_STAT if hop else STAT)
            raise KnownArticle("%s is an article the collection already holds" % request.url)
        return None

    def spider_closed(self) -> None:
        skipped = self.stats.get_value(STAT, 0)
        if skipped:
            logger.info("resumed crawl: requests of the saved frontier for articles the collection already "
                        "holds, not fetched again: %d (%s)", skipped, STAT)
