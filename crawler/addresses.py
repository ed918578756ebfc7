"""Which IP addresses the crawler may connect to: only globally reachable ones.

Asking `is_private` is not enough: carrier-grade NAT (100.64.0.0/10, where a cloud's metadata
service answers at 100.100.100.200), the deprecated site-local fec0::/10, benchmarking and
documentation ranges are not "private" yet not on the internet either, and an IPv6 address can
carry an IPv4 one inside (mapped, compatible, 6to4, NAT64, Teredo) that a gateway unwraps. Python's
own `is_global` tables changed between patch releases, so the ranges are listed here, after IANA's
special-purpose address registries (a range is refused unless "Globally Reachable" is true).
"""
from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

Address = IPv4Address | IPv6Address

_IPV4_NOT_GLOBAL = tuple(IPv4Network(n) for n in (
    "0.0.0.0/8",  # "this network"
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private use
    "100.64.0.0/10",  # carrier-grade NAT (shared address space)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local (cloud metadata at 169.254.169.254)
    "192.0.0.0/24",  # IETF protocol assignments
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",  # documentation
    "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
    "198.18.0.0/15",  # benchmarking
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and the limited broadcast 255.255.255.255
))
# Global unicast is 2000::/3; everything outside it (::, ::1, fc00::/7, fe80::/10, fec0::/10,
# ff00::/8, 100::/64, 64:ff9b:1::/48, ...) is refused unless it carries an IPv4 address below.
_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_IPV6_NOT_GLOBAL = tuple(IPv6Network(n) for n in (
    "2001::/23",  # IETF protocol assignments (Teredo, 2001::/32, is unwrapped before)
    "2001:db8::/32", "3fff::/20",  # documentation
))
_IPV4_COMPATIBLE = IPv6Network("::/96")  # deprecated ::a.b.c.d
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")  # RFC 6052; 64:ff9b:1::/48 is local-use: refused
_TEREDO = IPv6Network("2001::/32")


def carried_ipv4(address: IPv6Address) -> list[IPv4Address]:
    """The IPv4 addresses an IPv6 form carries (mapped, compatible, 6to4, NAT64, Teredo), if any."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return [IPv4Address(int(address) & 0xFFFFFFFF)]
    if address in _NAT64_WELL_KNOWN:
        return [IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address in _TEREDO and address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    return []


def is_global(address: Address) -> bool:
    """True if `address`, and every IPv4 address it carries, is reachable on the internet."""
    if isinstance(address, IPv4Address):
        return not any(address in network for network in _IPV4_NOT_GLOBAL)
    if address.scope_id:
        return False  # fe80::1%eth0 and other scoped forms name an interface of this machine
    inside = carried_ipv4(address)
    if inside:
        return all(is_global(a) for a in inside)
    return address in _IPV6_GLOBAL_UNICAST and not any(address in network for network in _IPV6_NOT_GLOBAL)


def ip_literal(host: str) -> Address | None:
    """The address a URL's host names literally ("127.0.0.1", "[::1]", "::1"), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
