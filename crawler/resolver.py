"""Name resolution that hands the connecting code only globally reachable addresses.

Checking a host's addresses with a lookup of our own and then letting Twisted look the name up
again to connect leaves a window: a name can answer a public address to the first lookup and a
private one to the second (DNS rebinding), and the request goes out before anything looks at the
peer. This resolver wraps the one the reactor connects with (Scrapy's TWISTED_DNS_RESOLVER, cache
included), so the addresses vetted are the addresses used. It is asynchronous as the wrapped one is:
nothing blocks the reactor. A name left without an address fails to connect as an unknown name
would; `refused(host)` says which address was dropped, for the error message.
"""
from __future__ import annotations

import ipaddress
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from crawler.addresses import Address, is_global

REFUSALS_KEPT = 4096  # hosts whose last refusal is remembered for the error message


def host_key(host: str) -> str:
    """One spelling of a host for the URL side and the resolver side (Twisted passes IDNA as text)."""
    host = host.strip("[]").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _ip_of(address: object) -> Address | None:
    if not isinstance(address, (IPv4Address, IPv6Address)):
        return None
    try:
        return ipaddress.ip_address(address.host)
    except ValueError:
        return None


@implementer(IResolutionReceiver)
class _VettingReceiver:
    """Passes the global addresses of one resolution on; remembers the first one dropped."""

    def __init__(self, receiver: Any, host: str, guard: GuardedResolver) -> None:
        self._receiver = receiver
        self._host = host
        self._guard = guard
        self._passed = 0
        self._dropped: str | None = None

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:
        ip = _ip_of(address)
        if ip is not None and is_global(ip):
            self._passed += 1
            self._receiver.addressResolved(address)
        elif self._dropped is None:
            self._dropped = str(ip) if ip is not None else str(address)

    def resolutionComplete(self) -> None:
        self._guard._note(self._host, None if self._passed else self._dropped)
        self._receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """An IHostnameResolver that drops every address that is not globally reachable."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.users = 0  # crawlers relying on it; the last to leave puts the wrapped one back
        self._refused: OrderedDict[str, str] = OrderedDict()

    def resolveHostName(
        self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
        addressTypes: Sequence[type[Any]] | None = None, transportSemantics: str = "TCP",
    ) -> Any:
        vetting = _VettingReceiver(resolutionReceiver, host_key(hostName), self)
        return self.wrapped.resolveHostName(vetting, hostName, portNumber, addressTypes, transportSemantics)

    def refused(self, host: str) -> str | None:
        """The address dropped when `host` was last resolved to no global address at all."""
        return self._refused.get(host_key(host))

    def _note(self, host: str, dropped: str | None) -> None:
        if dropped is None:
            self._refused.pop(host, None)
            return
        self._refused[host] = dropped
        self._refused.move_to_end(host)
        while len(self._refused) > REFUSALS_KEPT:
            self._refused.popitem(last=False)

    @classmethod
    def install(cls, reactor: Any) -> GuardedResolver:
        """Put a guard over the reactor's name resolver (or join the one already there)."""
        current = reactor.nameResolver
        guard = current if isinstance(current, cls) else cls(current)
        if guard is not current:
            reactor.installNameResolver(guard)
        guard.users += 1
        return guard

    def leave(self, reactor: Any) -> None:
        """One user less; the last one puts the wrapped resolver back."""
        self.users -= 1
        if self.users <= 0 and reactor.nameResolver is self:
            reactor.installNameResolver(self.wrapped)
