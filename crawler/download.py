"""An HTTP/1.1 download handler that keeps the bytes that crossed the wire.

Scrapy's Response keeps neither the reason phrase nor header order, case or repeated-header
placement, nor the request bytes Twisted actually sent (its `Host` header, say). A WARC must
hold those as they were, so this handler records the request bytes written to the socket and
the response head bytes read from it, and leaves them in `request.meta["archive_wire"]`. A
request sent through a forwarding proxy is kept as the origin server received it (origin-form
target, no Proxy-Authorization: archive/redact.py).

A body cut short by this crawler — past `DOWNLOAD_MAXSIZE` (announced by Content-Length or
not) or by the download timeout once the head has arrived — still fails the download as in
Scrapy, but what was received up to the cut is left in `request.meta["archive_truncated"]`
for the capture middleware to archive as a `WARC-Truncated` record. For an announced
oversize body the prefix up to the limit is read before the connection is dropped (and
if the server hangs up first, that is a `disconnect`).

It builds on private parts of Scrapy's HTTP/1.1 handler; if those ever move, the capture
middleware falls back to a head rebuilt from the Response (and says so in its stats).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers import http11
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError
from scrapy.http import Response
from scrapy.utils._download_handlers import wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from twisted.web._newclient import STATUS
from twisted.web.client import ResponseFailed
from twisted.web.http import _DataLoss
from twisted.web.iweb import UNKNOWN_LENGTH

from archive.redact import as_sent_to_origin
from crawler.fetch_errors import HeaderTooLarge, body_lost

logger = logging.getLogger(__name__)

WIRE_META_KEY = "archive_wire"
TRUNCATED_META_KEY = "archive_truncated"


@dataclass(frozen=True)
class WireCapture:
    """The request as sent and the response head as received (status line to blank line)."""

    request_bytes: bytes
    response_head: bytes
    protocol: str


@dataclass(frozen=True)
class TruncatedDownload:
    """A response this crawler cut short: its wire bytes, the body up to the cut, and why.

    `reason` is the WARC-Truncated value: "length" (past the download max size), "time"
    (the download timeout) or "disconnect" (the server hung up on a body announced too
    big); `detail` says it for people.
    """

    url: str
    wire: WireCapture
    status: int
    body: bytes  # transfer-decoded, content-encoding intact, as a complete body would be kept
    reason: str
    detail: str
    ip_address: str | None = None


def _wire_of(txresponse: Any, request: Request) -> WireCapture | None:
    head = getattr(txresponse, "_newsarchive_head", None)
    sent = getattr(txresponse, "_newsarchive_request", None)
    if head is None or sent is None:
        return None
    if _forward_proxied(request):
        sent = as_sent_to_origin(sent)  # the record shows the origin's request, not the proxy's
    version = txresponse.version
    protocol = "%s/%d.%d" % (version[0].decode("ascii", "replace"), version[1], version[2])
    return WireCapture(request_bytes=sent, response_head=head, protocol=protocol)


def _forward_proxied(request: Request) -> bool:
    """Sent to a proxy that forwards it (plain HTTP); an https request goes through a CONNECT tunnel,
    whose Proxy-Authorization Scrapy sends on the CONNECT only."""
    return bool(request.meta.get("proxy")) and urlsplit(request.url).scheme == "http"


def _keep_truncated(request: Request, txresponse: Any, body: bytes, reason: str, detail: str,
                    ip_address: object = None) -> None:
    wire = _wire_of(txresponse, request)
    if wire is None:
        return  # nothing to archive faithfully; the download fails as it would anyway
    request.meta[TRUNCATED_META_KEY] = TruncatedDownload(
        url=request.url, wire=wire, status=int(txresponse.code), body=body, reason=reason,
        detail=detail, ip_address=str(ip_address) if ip_address else None)


class _RecordingTransport:
    """Passes writes through to the real transport and keeps a copy of the request head."""

    def __init__(self, real: Any, limit: int = 65536) -> None:
        self._real = real
        self._limit = limit
        self.data = bytearray()

    def _keep(self, data: bytes) -> None:
        if len(self.data) < self._limit:
            self.data += data

    def write(self, data: bytes) -> None:
        self._keep(data)
        self._real.write(data)

    def writeSequence(self, seq: list[bytes]) -> None:
        for part in seq:
            self._keep(part)
        self._real.writeSequence(seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _RecordingParser(http11._LenientHTTPClientParser):
    """Scrapy's lenient response parser, also keeping the raw head lines."""

    _raw_lines: list[bytes]
    refused: HeaderTooLarge | None = None  # the head refused, and why

    def lineReceived(self, line: bytes) -> None:
        if self.state == STATUS:
            self._raw_lines = []  # a new head (also after an ignored 1xx response)
        self._raw_lines.append(line + b"\n")  # Twisted splits on LF; the CR stays in `line`
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> Any:
        # Twisted hangs up without a word, and the failure would read "closed cleanly"
        self.refused = HeaderTooLarge("response header too large (over %d bytes in one line)" % self.MAX_LENGTH)
        return super().lineLengthExceeded(line)  # type: ignore[no-untyped-call]  # Twisted's, untyped

    def allHeadersReceived(self) -> None:
        if self.response is not None:
            self.response._newsarchive_head = b"".join(self._raw_lines)
        super().allHeadersReceived()  # type: ignore[no-untyped-call]  # Twisted's, untyped


class _RecordingProtocol(http11._LenientHTTP11ClientProtocol):
    def request(self, request: Any) -> Any:
        real = self.transport
        tee = _RecordingTransport(real)
        self.transport = tee  # type: ignore[assignment]  # writeTo() writes the head synchronously
        try:
            deferred = super().request(request)
        finally:
            self.transport = real
        if self._parser is not None:
            self._parser.__class__ = _RecordingParser

        def attach(response: Any) -> Any:
            response._newsarchive_request = bytes(tee.data)
            return response

        deferred.addCallback(attach)
        parser = self._parser

        def named(failure: Failure) -> Any:
            refused = getattr(parser, "refused", None)
            return failure if refused is None else Failure(refused)  # type: ignore[no-untyped-call]

        deferred.addErrback(named)
        return deferred


class _RecordingFactory(http11._LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> Any:
        return _RecordingProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]


class _BoundedReader(http11._ResponseReader):
    """Scrapy's body reader that, at the download max size, keeps the body up to the limit.

    Scrapy's reader empties its buffer and cancels when a body grows past the limit; this
    one keeps the first `maxsize` bytes for the archive first, and fails the download with
    a message that says why. With `announced` (a Content-Length past the limit) it stops
    as soon as it holds `maxsize` bytes, the rest being known to be too much, and however
    the reading ends the download fails as Scrapy fails it at once: cancelled.
    """

    announced = -1  # set on the instance, after its class is swapped in (see _RecordingAgent)

    @property
    def too_big(self) -> bool:
        return bool(self._maxsize) and self.announced > self._maxsize

    def size_detail(self) -> str:
        if self.too_big:
            return "Content-Length %d is more than the download max size (%d bytes)" % (
                self.announced, self._maxsize)
        return "body grew past the download max size (%d bytes)" % self._maxsize

    def dataReceived(self, data: bytes) -> None:
        if self._finished.called:
            return
        limit = self._maxsize
        total = self._bytes_received + len(data)
        if not limit or total < limit or (total == limit and not self.too_big):
            super().dataReceived(data)
            return
        body = self._bodybuf.getvalue() + data[: limit - self._bytes_received]
        self._bodybuf = BytesIO()
        self._bytes_received = total
        self._cut(body, "length", self.size_detail())
        http11._ScrapyAgent._cancel(None, txresponse=self._txresponse)  # drop the connection

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.too_big and not self._finished.called:
            # the server hung up before the limit: still a body too big to take
            self._cut(self._bodybuf.getvalue(), "disconnect", "%s; the server closed the "
                      "connection after %d bytes" % (self.size_detail(), self._bytes_received))
            return
        failed = reason.value
        if (self._fail_on_dataloss and not self._finished.called and isinstance(failed, ResponseFailed)
                and any(isinstance(r.value, _DataLoss) for r in failed.reasons)):
            # Scrapy fails it with an empty message: say how much of the body came
            lost = body_lost(failed.reasons, self._bytes_received, self.announced)
            lost.__cause__ = failed
            self._finished.errback(Failure(lost))  # type: ignore[no-untyped-call]
            return
        super().connectionLost(reason)

    def _cut(self, body: bytes, reason: str, detail: str) -> None:
        _keep_truncated(self._request, self._txresponse, body, reason, detail, self._ip_address)
        self._finished.errback(Failure(DownloadCancelledError(detail)))  # type: ignore[no-untyped-call]


class _RecordingAgent(http11._ScrapyAgent):
    """Scrapy's agent, leaving the wire bytes in the request's meta (also of a cut download)."""

    _request: Request
    _reader: _BoundedReader | None = None

    def download_request(self, request: Request) -> Any:
        self._request = request
        return super().download_request(request)

    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        maxsize = request.meta.get("download_maxsize", self._maxsize)
        announced = txresponse.length if txresponse.length != UNKNOWN_LENGTH else -1

        def deliver(reader: Any) -> None:
            # Scrapy builds its reader inline; swapping its class (as Scrapy does with its
            # parser) happens before any body byte reaches it.
            if type(reader) is http11._ResponseReader:
                reader.__class__ = _BoundedReader
                bounded = cast(_BoundedReader, reader)
                bounded.announced = announced
                self._reader = bounded
            type(txresponse).deliverBody(txresponse, reader)

        txresponse.deliverBody = deliver
        try:
            if maxsize and announced > maxsize:
                # Scrapy would drop the connection now; read as if the length were unknown,
                # and let the reader stop at the limit with the prefix kept.
                txresponse.length = UNKNOWN_LENGTH
                try:
                    return super()._cb_bodyready(txresponse, request)
                finally:
                    txresponse.length = announced
            return super()._cb_bodyready(txresponse, request)
        finally:
            del txresponse.deliverBody

    def _cb_timeout(self, result: Any, request: Request, url: str, timeout: float) -> Any:
        reader = self._reader
        timer: Any = self._timeout_cl
        if (timer.active() or reader is None or self._txresponse is None
                or TRUNCATED_META_KEY in request.meta):
            return super()._cb_timeout(result, request, url, timeout)
        # the timeout fired after the head arrived: keep the body received so far
        _keep_truncated(
            request, self._txresponse, reader._bodybuf.getvalue(), "time",
            "download timeout (%g s) passed after %d bytes of the body"
            % (timeout, reader._bytes_received), reader._ip_address)
        try:
            return super()._cb_timeout(result, request, url, timeout)
        except DownloadTimeoutError:
            if reader.too_big:  # Scrapy cancels these at once, never waits for a timeout
                raise DownloadCancelledError(reader.size_detail()) from None
            raise

    def _cb_bodydone(self, result: Any, url: str) -> Response:
        response = super()._cb_bodydone(result, url)
        wire = _wire_of(result["txresponse"], self._request)
        if wire is not None:
            self._request.meta[WIRE_META_KEY] = wire
        return response


class CapturingHTTP11DownloadHandler(http11.HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with wire capture for the WARC writer."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._pool._factory = _RecordingFactory

    async def download_request(self, request: Request) -> Response:
        spider = self._crawler.spider
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=getattr(spider, "download_maxsize", self._default_maxsize),
            warnsize=getattr(spider, "download_warnsize", self._default_warnsize),
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        request.meta.pop(WIRE_META_KEY, None)  # never leave a previous hop's bytes behind
        request.meta.pop(TRUNCATED_META_KEY, None)
        with wrap_twisted_exceptions():
            return await maybe_deferred_to_future(agent.download_request(request))
