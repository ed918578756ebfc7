"""A stub of DNS for crawls run in a child process (`-s TWISTED_DNS_RESOLVER=tests.stub_dns.RebindingDNS`).

Names under `.rebind.test` answer 127.0.0.1: what a rebinding name answers to the lookup that
connects, after a first lookup elsewhere saw a public address (the machine's own resolver has never
heard of these names). Every other name goes to the reactor's usual resolver.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from zope.interface import implementer

STUB_SUFFIX = ".rebind.test"
STUB_ANSWER = "127.0.0.1"


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        return None


@implementer(IHostnameResolver)
class RebindingDNS:
    """Scrapy's TWISTED_DNS_RESOLVER interface: from_crawler(crawler, reactor), install_on_reactor()."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor
        self.usual: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> RebindingDNS:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.usual = self.reactor.nameResolver
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type[Any]] | None = None, transportSemantics: str = "TCP") -> Any:
        if not hostName.endswith(STUB_SUFFIX):
            return self.usual.resolveHostName(resolutionReceiver, hostName, portNumber, addressTypes,
                                              transportSemantics)
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        resolutionReceiver.addressResolved(IPv4Address("TCP", STUB_ANSWER, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution
