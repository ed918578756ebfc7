"""`Retry-After` on a 429 or 503 is honoured: that host's downloader slot waits, then the request is retried.

The wait pauses only that host's slot (Scrapy's downloader slot, one per host), never the reactor
nor other hosts; requests of that host wait in its slot meanwhile, and Scrapy's downloader-aware
scheduler queue prefers other hosts while it is busy. The delay is seconds or an HTTP-date. A
delay past FETCH_RETRY_AFTER_MAX means the host is skipped for the rest of the run: counted in
`fetch/host_skipped/retry_after` (hosts), named once in a WARNING, and its further requests are
refused (`fetch/ignored`). Retries count against RETRY_TIMES with Scrapy's `retry/*` stats.

It sits just before Scrapy's RetryMiddleware (550) in the response direction, which would
otherwise retry at once. It reaches into the downloader's slots (Scrapy 2.19, pinned).
"""
from __future__ import annotations

import logging
import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from time import monotonic
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.asyncio import call_later

logger = logging.getLogger(__name__)

STATUSES = (429, 503)
DEFAULT_MAX = 300.0  # seconds


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """The delay a Retry-After value asks for (seconds, or an HTTP-date from `now`), or None when unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isascii() and text.isdigit():
        return float(text) if len(text) <= 15 else math.inf  # int() refuses 4,300 digits and more
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Downloader middleware: waits out a Retry-After on that host's slot, or skips the host past the cap."""

    def __init__(self, crawler: Crawler, max_delay: float = DEFAULT_MAX) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        self.retry = crawler.settings.getbool("RETRY_ENABLED", True)
        self.skipped: set[str] = set()
        self._resume_at: dict[str, float] = {}  # slot -> monotonic time its pause ends

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler, crawler.settings.getfloat("FETCH_RETRY_AFTER_MAX", DEFAULT_MAX))

    def process_request(self, request: Request) -> None:
        if self.skipped and (urlsplit(request.url).hostname or "") in self.skipped:
            raise IgnoreRequest("host skipped for this run: its Retry-After was past FETCH_RETRY_AFTER_MAX")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in STATUSES or request.meta.get("dont_retry"):
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(timezone.utc))
        if delay is None:
            return response  # Scrapy's RetryMiddleware decides, as for any 429 / 503
        if delay > self.max_delay:
            self._skip(urlsplit(request.url).hostname or "", response, delay)
            request.meta["dont_retry"] = True  # nor at once by RetryMiddleware
            return response
        spider = self.crawler.spider
        retry = get_retry_request(request, spider=spider, reason="retry_after_%d" % response.status) \
            if self.retry and spider is not None else None
        if retry is None:
            return response
        self.crawler.stats.inc_value("fetch/retry_after")
        self.crawler.stats.inc_value("fetch/retry_after_seconds", math.ceil(delay))  # the pauses honoured, whole s
        self._pause(request, delay)
        return retry

    def _skip(self, host: str, response: Response, delay: float) -> None:
        if host in self.skipped:
            return
        self.skipped.add(host)
        self.crawler.stats.inc_value("fetch/host_skipped/retry_after")
        logger.warning("%s answered %d with Retry-After %s, past FETCH_RETRY_AFTER_MAX (%g s): nothing more of "
                       "%s is fetched in this run", response.url, response.status,
                       "a long time" if math.isinf(delay) else "%d s" % delay, self.max_delay, host)

    def _pause(self, request: Request, delay: float) -> None:
        """Hold the request's downloader slot for `delay` seconds (a longer pause already set stays)."""
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        resume_at = monotonic() + delay
        if resume_at <= self._resume_at.get(key, 0.0):
            return
        self._resume_at[key] = resume_at
        # the slot's last request "seen" at the end of the pause: it is not collected as idle meanwhile
        slot.lastseen = max(slot.lastseen, resume_at)
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(delay, downloader._latercall, slot)
