"""Downloader middleware that writes every response, as received, to the collection's WARCs.

It sits next to the downloader (priority 950), so it sees responses before redirects are
followed, retries decided or bodies decompressed: 301s, 404s and robots.txt are archived
too, and a gzip body is stored gzipped under its own Content-Encoding. A download cut
short past the download max size or by the timeout fails as in Scrapy, but what came is
archived first, marked `WARC-Truncated: length` or `time` (see crawler/download.py). The values
of headers that carry credentials are replaced in request records, and each file's warcinfo says
so, unless ARCHIVE_KEEP_CREDENTIALS (archive/redact.py).

A write that fails (the WARC file's or the store's: a full disk, a read-only collection) stops the
run, and the page it was for is dropped (IgnoreRequest): the run names the cause once, and the page
is no fetch error. The file stays as the writer left it: cut back to its last whole record.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from archive.moments import utc_now
from archive.redact import CREDENTIAL_HEADERS, REDACTED, redact_credentials
from archive.revisit_policy import DedupingWriter
from archive.store import Store
from archive.versions import package_version
from archive.warc import HttpExchange, WarcWriter, build_request_head, build_response_head, format_fields
from archive.writes import WriteFailed, as_write_failure
from crawler.download import TRUNCATED_META_KEY, WIRE_META_KEY, TruncatedDownload, WireCapture
from crawler.requisite_meta import REQUISITE_META_KEY, TOO_BIG_META_KEY
from crawler.run_extension import crawl_run
from crawler.safety import is_public
from crawler.setting_types import SettingError, typed_setting
from pipelines.redirects import RedirectAliases

logger = logging.getLogger(__name__)

RECORD_META_KEY = "archive_record"
_CHUNKED_LINE = re.compile(rb"^(transfer-encoding)(\s*:[^\r\n]*chunked)", re.IGNORECASE | re.MULTILINE)
_LENGTH_LINE = re.compile(rb"^(content-length\s*:)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class CaptureConfig:
    max_size: int
    gzip: bool
    compress_level: int
    prefix: str
    warc_version: str
    keep_credentials: bool = False  # Authorization, Proxy-Authorization, Cookie kept in request records

    @classmethod
    def from_settings(cls, settings: Any) -> CaptureConfig:
        """Read and check the ARCHIVE_* settings; SettingError names the first bad one."""
        config = cls(
            max_size=typed_setting(settings, "getint", "ARCHIVE_MAX_SIZE"),
            gzip=typed_setting(settings, "getbool", "ARCHIVE_GZIP"),
            compress_level=typed_setting(settings, "getint", "ARCHIVE_COMPRESS_LEVEL"),
            prefix=str(settings.get("ARCHIVE_PREFIX")),
            warc_version=str(settings.get("ARCHIVE_WARC_VERSION")),
            keep_credentials=typed_setting(settings, "getbool", "ARCHIVE_KEEP_CREDENTIALS"),
        )
        if config.max_size <= 0:
            raise SettingError("ARCHIVE_MAX_SIZE must be a positive number of bytes")
        if not 0 <= config.compress_level <= 9:
            raise SettingError("ARCHIVE_COMPRESS_LEVEL must be between 0 and 9")
        if config.warc_version not in ("1.0", "1.1"):
            raise SettingError("ARCHIVE_WARC_VERSION must be 1.0 or 1.1")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", config.prefix):
            raise SettingError("ARCHIVE_PREFIX may hold only letters, digits, '.', '_' and '-'")
        return config


def warcinfo_fields(crawler: Crawler, collection: str, run_id: str) -> dict[str, str]:
    """What each WARC file of this crawl says of itself: software, format (as written), run, robots policy."""
    settings = crawler.settings
    return {
        "software": "newsarchive/%s (Scrapy %s, warcio %s)" % (
            package_version("newsarchive"), package_version("scrapy"), package_version("warcio")),
        **format_fields(str(settings.get("ARCHIVE_WARC_VERSION"))),
        "isPartOf": "%s/%s" % (collection, run_id),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT"),
        "http-header-redacted": "" if settings.getbool("ARCHIVE_KEEP_CREDENTIALS") else (
            "the values of %s in request records are %s" % (", ".join(CREDENTIAL_HEADERS), REDACTED.decode())),
    }


def exchange_from(request: Request, response: Response, wire: WireCapture | None) -> HttpExchange:
    """The exchange as it crossed the wire, or as close as Scrapy's objects allow."""
    if wire is not None:
        request_head, _, request_body = wire.request_bytes.partition(b"\r\n\r\n")
        request_head += b"\r\n\r\n"
        response_head = wire.response_head
        protocol = wire.protocol
    else:
        request_head, request_body = _rebuild_request(request), request.body
        response_head = _rebuild_response_head(response)
        protocol = response.protocol or "HTTP/1.1"
    return HttpExchange(
        url=response.url,
        request_head=request_head,
        request_body=request_body,
        response_head=_unchunked(response_head),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        protocol=protocol,
        date=utc_now(),
    )


def truncated_exchange(cut: TruncatedDownload) -> HttpExchange:
    """The exchange of a download cut short: the body up to the cut, marked WARC-Truncated.

    The stored body is shorter than a Content-Length the server sent, and replay tools
    (pywb, ReplayWeb.page) would serve that header with it, so that clients wait for bytes
    that never come: the header is kept under pywb's prefix for original headers instead,
    as a chunked Transfer-Encoding is.
    """
    request_head, _, request_body = cut.wire.request_bytes.partition(b"\r\n\r\n")
    return HttpExchange(
        url=cut.url,
        request_head=request_head + b"\r\n\r\n",
        request_body=request_body,
        response_head=_LENGTH_LINE.sub(rb"X-Archive-Orig-\1", _unchunked(cut.wire.response_head)),
        body=cut.body,
        ip_address=cut.ip_address,
        protocol=cut.wire.protocol,
        truncated=cut.reason,
        date=utc_now(),
    )


def _unchunked(response_head: bytes) -> bytes:
    # Twisted hands us de-chunked bodies: the header must no longer claim chunk framing, so
    # it is kept under pywb's prefix for original headers instead.
    return _CHUNKED_LINE.sub(rb"X-Archive-Orig-\1\2", response_head)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _rebuild_request(request: Request) -> bytes:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    headers = [(b"Host", parts.netloc.encode("ascii"))]
    for name, values in request.headers.items():
        if request.meta.get("proxy") and name.lower() == b"proxy-authorization":
            continue  # for the proxy, not for the origin server this record is about
        headers += [(name, value) for value in values]
    return build_request_head(request.method, target, headers)


def _rebuild_response_head(response: Response) -> bytes:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    return build_response_head(response.status, reason, headers)


class CaptureMiddleware:
    """Writes each response and its request to WARC; leaves the record's place in meta.

    Glue: whether an exchange becomes a response or a revisit record is archive/revisit_policy.py's call.
    """

    def __init__(self, writer: WarcWriter, stats: Any, store: Store | None = None, run_id: str = "",
                 allow_private: bool = True, keep_credentials: bool = False,
                 write_failed: Callable[[WriteFailed], None] | None = None) -> None:
        # with a store, repeated payloads and 304s become revisit records
        self.archive = DedupingWriter(writer, store, stats)
        self.writer = writer
        # what stops the run when a write fails (without it, the failure is raised as it is)
        self.write_failed = write_failed
        self.stats = stats
        self.store = store
        self.run_id = run_id
        # a complete response from a non-public peer is refused by PrivateAddressMiddleware;
        # a cut-short one never reaches it, so it is checked here
        self.allow_private = allow_private
        self.keep_credentials = keep_credentials

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        config = CaptureConfig.from_settings(crawler.settings)
        run = crawl_run(crawler)
        ctx = run.ctx
        writer = WarcWriter(
            ctx.collection.archive_dir,
            prefix=config.prefix,
            max_size=config.max_size,
            gzip=config.gzip,
            compress_level=config.compress_level,
            warc_version=config.warc_version,
            info=warcinfo_fields(crawler, ctx.collection.name, ctx.run_id),
        )
        middleware = cls(writer, crawler.stats, ctx.store, ctx.run_id,
                         crawler.settings.getbool("FETCH_ALLOW_PRIVATE"), config.keep_credentials,
                         write_failed=run.write_failed)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        wire = request.meta.pop(WIRE_META_KEY, None)
        if request.meta.get("dont_archive"):
            return response
        if wire is None:
            self.stats.inc_value("archive/rebuilt_heads")
        exchange = self._redacted(exchange_from(request, response, wire))
        try:
            request.meta[RECORD_META_KEY] = self.archive.write(
                exchange, response.status, _header(response, b"ETag"), _header(response, b"Last-Modified"))
            location = response.headers.get(b"Location")
            if self.store is not None and location and 300 <= response.status < 400:
                RedirectAliases(self.store, self.run_id).note(
                    response.url, response.status, location.decode("latin-1"))
        except (WriteFailed, OSError, sqlite3.Error) as err:
            self._stop_if_write_failed(response.url, err)
            raise
        if request.meta.get(REQUISITE_META_KEY):  # counted apart from pages (crawler/requisites.py)
            self.stats.inc_value("requisites/archived")
            self.stats.inc_value("requisites/bytes", len(response.body))
            if response.status == 304:
                self.stats.inc_value("requisites/not_modified")
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """Archive what a cut-short download received; the failure goes on as it was."""
        request.meta.pop(WIRE_META_KEY, None)
        cut = request.meta.pop(TRUNCATED_META_KEY, None)
        if not isinstance(cut, TruncatedDownload):
            return None
        self.stats.inc_value("fetch/truncated/%s" % cut.reason)
        if request.meta.get(REQUISITE_META_KEY) and cut.reason != "time":  # past REQUISITES_MAX_SIZE
            self.stats.inc_value("requisites/too_big")
            request.meta[TOO_BIG_META_KEY] = True
        if request.meta.get("dont_archive") or not self._may_archive(cut):
            logger.warning("download of %s cut short: %s", cut.url, cut.detail)
            return None
        # never a revisit, and never the payload or validators later captures are compared
        # with (the policy's rule for a truncated exchange): this is not the page
        try:
            location = self.archive.write(self._redacted(truncated_exchange(cut)), cut.status)
        except (WriteFailed, OSError, sqlite3.Error) as err:
            self._stop_if_write_failed(cut.url, err)
            raise
        logger.warning("download of %s cut short: %s; the %d bytes received are archived "
                       "with WARC-Truncated: %s (%s)", cut.url, cut.detail, len(cut.body),
                       cut.reason, location.filename)
        return None

    def _stop_if_write_failed(self, url: str, error: Exception) -> None:
        """A capture that failed on a write (not some other error) stops the run, and its page is
        dropped: IgnoreRequest, neither retried nor counted as a fetch error."""
        failure = as_write_failure(error, self.store.path if self.store is not None else self.writer.directory)
        if failure is not None and self.write_failed is not None:
            self.write_failed(failure)
            raise IgnoreRequest("%s not archived: %s" % (url, failure)) from error

    def _redacted(self, exchange: HttpExchange) -> HttpExchange:
        """The exchange with credentials out of its request head (unless ARCHIVE_KEEP_CREDENTIALS)."""
        if self.keep_credentials:
            return exchange
        head, names = redact_credentials(exchange.request_head)
        if not names:
            return exchange
        self.stats.inc_value("archive/redacted_headers", len(names))
        return dataclasses.replace(exchange, request_head=head)

    def _may_archive(self, cut: TruncatedDownload) -> bool:
        if self.allow_private or not cut.ip_address:
            return True
        if is_public(ipaddress.ip_address(cut.ip_address)):
            return True
        self.stats.inc_value("fetch/refused_private")
        return False

    def close(self) -> None:
        try:
            files = self.archive.close()
        except WriteFailed as failure:  # the last file stays `.open`: the next run or `repair` closes it
            if self.write_failed is not None:
                self.write_failed(failure)  # the run says it, in one line, and ends as failed
            else:
                logger.error("%s", failure)
            files = list(self.writer.closed_files)
        self.stats.set_value("archive/run_files", [os.path.basename(f) for f in files])
