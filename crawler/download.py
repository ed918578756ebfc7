"""An HTTP/1.1 download handler that keeps the bytes that crossed the wire.

Scrapy's Response keeps neither the reason phrase nor header order, case or repeated-header
placement, nor the request bytes Twisted actually sent (its `Host` header, say). A WARC must
hold those as they were, so this handler records the request bytes written to the socket and
the response head bytes read from it, and leaves them in `request.meta["archive_wire"]`.

It builds on private parts of Scrapy's HTTP/1.1 handler; if those ever move, the capture
middleware falls back to a head rebuilt from the Response (and says so in its stats).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers import http11
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

logger = logging.getLogger(__name__)

WIRE_META_KEY = "archive_wire"


@dataclass(frozen=True)
class WireCapture:
    """The request as sent and the response head as received (status line to blank line)."""

    request_bytes: bytes
    response_head: bytes
    protocol: str


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

    def writeSequence(self, seq: list[bytes]) -> None:  # noqa: N802 - Twisted's name
        for part in seq:
            self._keep(part)
        self._real.writeSequence(seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _RecordingParser(http11._LenientHTTPClientParser):
    """Scrapy's lenient response parser, also keeping the raw head lines."""

    _raw_lines: list[bytes]

    def lineReceived(self, line: bytes) -> None:  # noqa: N802
        if self.state == http11.STATUS:
            self._raw_lines = []  # a new head (also after an ignored 1xx response)
        self._raw_lines.append(line + b"\n")  # Twisted splits on LF; the CR stays in `line`
        super().lineReceived(line)

    def allHeadersReceived(self) -> None:  # noqa: N802
        if self.response is not None:
            self.response._newsarchive_head = b"".join(self._raw_lines)
        super().allHeadersReceived()


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
        return deferred


class _RecordingFactory(http11._LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> Any:  # noqa: N802
        return _RecordingProtocol(self._quiescentCallback)


class _RecordingAgent(http11._ScrapyAgent):
    """Scrapy's agent, leaving the wire bytes in the request's meta."""

    _request: Request

    def download_request(self, request: Request) -> Any:
        self._request = request
        return super().download_request(request)

    def _cb_bodydone(self, result: Any, url: str) -> Response:
        response = super()._cb_bodydone(result, url)
        txresponse = result["txresponse"]
        head = getattr(txresponse, "_newsarchive_head", None)
        sent = getattr(txresponse, "_newsarchive_request", None)
        if head is not None and sent is not None:
            self._request.meta[WIRE_META_KEY] = WireCapture(
                request_bytes=sent, response_head=head, protocol=response.protocol or "HTTP/1.1"
            )
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
        with http11.wrap_twisted_exceptions():
            return await maybe_deferred_to_future(agent.download_request(request))
