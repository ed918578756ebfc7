"""Refuses connections to addresses that are not globally reachable, unless allowed.

A news crawler follows links and redirects chosen by servers it does not control; without
this check a page could point it at services on the crawling machine's own network (loopback,
private ranges, carrier-grade NAT, link-local cloud metadata; crawler/addresses.py has the list).

The check sits in the name resolver the downloader connects with (crawler/resolver.py), so the
address checked is the address used, and no request reaches a refused address. This middleware
puts that resolver in place, checks hosts written as IP addresses before the request (a proxy
would otherwise connect to them for us), turns a connection left without an address into a
refusal that names host, address and how to allow it, and checks the peer after the response as
a second line of defence.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured
from scrapy.http import Response
from twisted.internet.error import DNSLookupError

from crawler.addresses import Address, ip_literal
from crawler.addresses import is_global as is_public  # the name capture.py and older callers use
from crawler.resolver import GuardedResolver

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PRIVATE_HINT", "PrivateAddressMiddleware", "is_public"]

# How to allow such addresses, said in the words of the command at hand: FETCH_PRIVATE_HINT, which
# `newsarchive crawl` and the scheduler set; this default is for `scrapy crawl`.
DEFAULT_PRIVATE_HINT = "pass -s FETCH_ALLOW_PRIVATE=1"


class PrivateAddressMiddleware:
    """Downloader middleware: the guarded resolver for connections, literal hosts before, the peer after."""

    def __init__(self, stats: Any, hint: str = DEFAULT_PRIVATE_HINT) -> None:
        self.stats = stats
        self.hint = hint
        self.guard: GuardedResolver | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        if crawler.settings.getbool("FETCH_ALLOW_PRIVATE"):
            raise NotConfigured  # no message: Scrapy would log a message as a warning
        middleware = cls(crawler.stats, crawler.settings.get("FETCH_PRIVATE_HINT") or DEFAULT_PRIVATE_HINT)
        from twisted.internet import reactor

        # Scrapy installs its TWISTED_DNS_RESOLVER when the reactor starts (after this runs);
        # the guard goes over it then, before anything connects
        reactor.callWhenRunning(middleware.guard_reactor, reactor)
        crawler.signals.connect(middleware.close, signal=signals.engine_stopped)
        return middleware

    def guard_reactor(self, reactor: Any) -> None:
        if self.guard is None:
            self.guard = GuardedResolver.install(reactor)

    def close(self) -> None:
        if self.guard is not None:
            from twisted.internet import reactor

            self.guard.leave(reactor)
            self.guard = None

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        literal = ip_literal(host)
        if literal is not None and not is_public(literal):
            self._refuse(request.url, host, str(literal))

    def process_response(self, request: Request, response: Response) -> Response:
        peer: Address | None = response.ip_address
        if peer is not None and not is_public(peer):
            self._refuse(response.url, urlsplit(response.url).hostname or "", str(peer))
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """A connection the guard left without an address is a refusal, not a DNS failure."""
        if self.guard is None or not isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            return None
        host = urlsplit(request.url).hostname or ""
        address = self.guard.refused(host)
        if address is None and request.meta.get("proxy"):
            proxy = urlsplit(str(request.meta["proxy"])).hostname or ""
            address = self.guard.refused(proxy)
            host = "its proxy %s" % proxy if address else host
        if address is not None:
            self._refuse(request.url, host, address)
        return None

    def _refuse(self, url: str, host: str, address: str) -> None:
        self.stats.inc_value("fetch/refused_private")
        if self.stats.get_value("fetch/refused_private") == 1:
            logger.error(
                "refused %s: %s resolves to non-public address %s (to crawl it, %s)",
                url, host, address, self.hint,
            )
        raise IgnoreRequest("non-public address %s for %s" % (address, url))
