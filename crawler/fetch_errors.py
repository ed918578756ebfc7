"""Fetch failures with names: what was lost and why, counted and said once per kind.

Twisted and the decoders tell some losses badly: a connection reset in the middle of a body
failed with an empty message, a response header line the client refuses (past Twisted's line
limit) as "Connection was closed cleanly", a br body that does not decode with the decoder's
own words (or, where pywb's brotlipy has taken the name `brotli`, with "'Decompressor' object
has no attribute 'process'"). The download handler (crawler/download.py) and the decoding
middleware here raise a `NamedFetchError` instead, whose message says it ("connection reset by
peer after 3000 of 10000 bytes of the body", "response header too large (over 16384 bytes in
one line)", "could not decode br body of URL: ...").

`FetchErrorMiddleware` sits just below Scrapy's RetryMiddleware (550), so it sees a failure
only once retrying gave up: it counts it in `fetch/errors` and `fetch/error/<kind>`, names the
first of each kind in a WARNING with its URL, and passes it on as `FetchLost` (which the
news spider's errback takes as counted and named already).
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from scrapy.http import Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from archive.codings import DecodedTooBig, undo_coding
from crawler.redirect_scope import RedirectRefused

logger = logging.getLogger(__name__)


class NamedFetchError(Exception):
    """A download failure whose message names what was lost; `kind` names its counter."""

    kind = "other"


class BodyLost(NamedFetchError, ResponseDataLossError):
    """The connection ended before the body did (a ResponseDataLossError: Scrapy retries it)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class HeaderTooLarge(NamedFetchError):
    """The response head has a line longer than the client takes (not retried: it would come again)."""

    kind = "header_too_large"


class Undecodable(NamedFetchError):
    """A body whose content coding does not decode."""

    kind = "undecodable"


class FetchLost(RedirectRefused):
    """A fetch lost, counted (fetch/errors, fetch/error/<kind>) and named where it was seen.

    A RedirectRefused because that is what the news spider's errback passes over as counted and
    named already (it counts other failures as fetch errors and warns about each)."""


def body_lost(reasons: list[Any], received: int, announced: int) -> BodyLost:
    """The failure of a body cut short by the peer: `reasons` are Twisted's (a ConnectionLost
    when the connection was reset, a ConnectionDone when the server closed it), `announced`
    the Content-Length (-1: chunked or none)."""
    from twisted.internet.error import ConnectionLost  # the reactor's own error classes

    reset = any(getattr(reason, "check", lambda *_: None)(ConnectionLost) for reason in reasons)
    how = "connection reset by peer" if reset else "connection lost (closed by the server)"
    if announced >= 0:
        where = "after %d of %d bytes of the body" % (received, announced)
    else:
        where = "after %d bytes of the body (no length announced)" % received
    return BodyLost("%s %s" % (how, where), "connection_reset" if reset else "connection_lost")


class FetchNotice:
    """Counts a named loss and says the first of each kind, with its URL."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self._named: set[str] = set()

    def lost(self, url: str, error: NamedFetchError) -> FetchLost:
        stat = "fetch/error/%s" % error.kind
        self.stats.inc_value("fetch/errors")
        self.stats.inc_value(stat)
        what = str(error) if url in str(error) else "%s: %s" % (url, error)
        if error.kind not in self._named:
            self._named.add(error.kind)
            logger.warning("fetch failed: %s (others of this kind counted in %s)", what, stat,
                           extra={"event": "fetch_failed", "url": url, "kind": error.kind})
        lost = FetchLost(what)
        lost.__cause__ = error
        return lost


class FetchErrorMiddleware:
    """Downloader middleware just below RetryMiddleware: a named failure retrying gave up on is
    counted and named once per kind."""

    def __init__(self, notice: FetchNotice) -> None:
        self.notice = notice

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchErrorMiddleware:
        return cls(FetchNotice(crawler.stats))

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, NamedFetchError):
            raise self.notice.lost(request.url, exception)
        return None


class _CodingFailed(Exception):
    def __init__(self, coding: str, error: BaseException) -> None:
        super().__init__(coding)
        self.coding = coding
        self.error = error


class DecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, with br decoded by a decoder that works (archive/codings.py
    finds Google's where pywb's brotlipy has taken the name `brotli`) and a body that does not decode
    named by its coding and URL, counted and said once (as FetchErrorMiddleware does)."""

    def __init__(self, stats: Any = None, *, crawler: Crawler | None = None) -> None:
        super().__init__(stats, crawler=crawler)
        self.notice = FetchNotice(self.stats) if self.stats is not None else None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except _CodingFailed as failed:
            reason = str(failed.error) or type(failed.error).__name__
            error = Undecodable("could not decode %s body of %s: %s" % (failed.coding, response.url, reason))
            if self.notice is None:
                raise error from failed.error
            raise self.notice.lost(request.url, error) from failed.error

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        try:
            if encoding == b"br":
                return undo_coding("br", body, max_size)
            return HttpCompressionMiddleware._decode(body, encoding, max_size)
        except (_DecompressionMaxSizeExceeded, IgnoreRequest):
            raise
        except DecodedTooBig:
            # Scrapy's own answer to a body past DOWNLOAD_MAXSIZE (a warning, IgnoreRequest)
            raise _DecompressionMaxSizeExceeded(max_size + 1, max_size) from None
        except Exception as err:  # each decoder has its own error class (zlib.error, brotli's, zstd's, OSError)
            raise _CodingFailed(encoding.decode("latin-1"), err) from err
