"""Refuses requests to loopback, private and link-local addresses unless allowed.

A news crawler follows links and redirects chosen by servers it does not control; without
this check a page could point it at services on the crawling machine's own network.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# How to allow such addresses, said in the words of the command at hand: FETCH_PRIVATE_HINT, which
# `newsarchive crawl` and the scheduler set; this default is for `scrapy crawl`.
DEFAULT_PRIVATE_HINT = "pass -s FETCH_ALLOW_PRIVATE=1"


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified
    )


def resolve(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []  # let the downloader report the DNS failure in its own words
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


class PrivateAddressMiddleware:
    """Downloader middleware: checks the resolved address before the request and the peer after."""

    def __init__(self, stats: Any, hint: str = DEFAULT_PRIVATE_HINT) -> None:
        self.stats = stats
        self.hint = hint
        self._verdicts: dict[str, Address | None] = {}  # host -> first non-public address

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        if crawler.settings.getbool("FETCH_ALLOW_PRIVATE"):
            raise NotConfigured  # no message: Scrapy would log a message as a warning
        return cls(crawler.stats, crawler.settings.get("FETCH_PRIVATE_HINT") or DEFAULT_PRIVATE_HINT)

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if host not in self._verdicts:
            self._verdicts[host] = next((a for a in resolve(host) if not is_public(a)), None)
        bad = self._verdicts[host]
        if bad is not None:
            self._refuse(request.url, host, bad)

    def process_response(self, request: Request, response: Response) -> Response:
        peer = response.ip_address
        if peer is not None and not is_public(peer):
            self._refuse(response.url, urlsplit(response.url).hostname or "", peer)
        return response

    def _refuse(self, url: str, host: str, address: Address) -> None:
        self.stats.inc_value("fetch/refused_private")
        if self.stats.get_value("fetch/refused_private") == 1:
            logger.error(
                "refused %s: %s resolves to non-public address %s (to crawl it, %s)",
                url, host, address, self.hint,
            )
        raise IgnoreRequest("non-public address %s for %s" % (address, url))
