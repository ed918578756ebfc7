"""Conditional GET: ask for feeds, sitemaps and listings only if they changed since last time.

The validators (ETag, Last-Modified) come from the last full capture of the URL in the
collection; a 304 is archived as a server-not-modified revisit, and the spider reads the
unchanged page from the archive instead of the network, so discovery stays complete.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.response.html import HtmlResponse
from scrapy.responsetypes import responsetypes

from archive.codings import decode_payload
from archive.exceptions import ArchiveError
from archive.reader import read_record_at
from archive.store import Store
from crawler.run_extension import run_context

logger = logging.getLogger(__name__)

CONDITIONAL_META_KEY = "conditional"
_DROP_ON_REBUILD = {"content-encoding", "transfer-encoding", "content-length",
                    "x-archive-orig-transfer-encoding"}


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests the spider marked `conditional`."""

    def __init__(self, store: Store, stats: Any) -> None:
        self.store = store
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("FETCH_CONDITIONAL"):
            raise NotConfigured
        return cls(run_context(crawler).store, crawler.stats)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(CONDITIONAL_META_KEY) or request.method != "GET":
            return
        validator = self.store.validator(request.url)
        if validator is None:
            return
        if validator.etag:
            request.headers.setdefault(b"If-None-Match", validator.etag.encode("latin-1"))
        if validator.last_modified:
            request.headers.setdefault(b"If-Modified-Since", validator.last_modified.encode("latin-1"))
        if validator.etag or validator.last_modified:
            allowed = list(request.meta.get("handle_httpstatus_list", []))
            request.meta["handle_httpstatus_list"] = allowed + [304]  # the spider takes it
            self.stats.inc_value("fetch/conditional")


def archived_response(crawler: Crawler, response: Response) -> Response | None:
    """The page as last archived in full, for a 304 answer to a conditional request."""
    ctx = run_context(crawler)
    validator = ctx.store.validator(response.url)
    if validator is None:
        return None
    path = os.path.join(ctx.collection.archive_dir, validator.filename)
    try:
        archived = read_record_at(path, validator.offset)
        # decoded within the crawl's own size bound, as the live body would have been
        body = decode_payload(archived.payload, archived.codings, archived.where,
                              crawler.settings.getint("DOWNLOAD_MAXSIZE"))
    except (ArchiveError, OSError) as err:
        logger.warning("cannot read the archived copy of %s (%s): %s", response.url, path, err)
        return None
    headers = [(k, v) for k, v in archived.headers if k.lower() not in _DROP_ON_REBUILD]
    cls = responsetypes.from_args(
        headers={k.encode('latin-1'): v.encode('latin-1') for k, v in headers},
        url=response.url, body=body)
    if cls is Response:
        cls = HtmlResponse
    return cls(url=response.url, status=200, headers=headers, body=body, request=response.request)
