"""The private-address guard: which addresses count as global, and refusals made where the crawler connects."""
from __future__ import annotations

import json
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from twisted.internet.address import IPv4Address
from warcio.archiveiterator import ArchiveIterator

from crawler.addresses import carried_ipv4
from crawler.resolver import GuardedResolver
from crawler.safety import is_public
from tests.conftest import run_newsarchive
from tests.hostile_server import ARTICLE, HostileServer, page

REFUSED = [
    "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
    "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200", "100.127.255.255",
    "192.0.0.1", "192.0.0.170", "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::", "::1", "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "fec0::1", "feff::1", "ff02::1", "ff0e::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::ffff:0:7f00:1",
    "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:6440:1::", "2002:c0a8:101::1",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::6464:64c8", "64:ff9b:1::8.8.8.8",
    # Teredo (2001::/32): server 65.54.227.120, client 127.0.0.1 (stored inverted: 0x80fffffe)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "2001:db8::1", "2001:2::1", "3fff::1", "100::1", "5f00::1", "fe80::1%1",
]
ALLOWED = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.32.0.1", "192.0.1.1",
    "198.20.0.1", "223.255.255.254",
    "2606:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808",
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo of a public client (8.8.8.8) via a public server
]


@pytest.mark.parametrize("address", REFUSED)
def test_not_globally_reachable_addresses_are_refused(address: str) -> None:
    assert not is_public(ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_globally_reachable_addresses_are_allowed(address: str) -> None:
    assert is_public(ip_address(address))


@pytest.mark.parametrize(("form", "inside"), [
    ("::ffff:127.0.0.1", ["127.0.0.1"]), ("2002:a9fe:a9fe::1", ["169.254.169.254"]),
    ("64:ff9b::7f00:1", ["127.0.0.1"]), ("2001:0:4136:e378:8000:63bf:80ff:fffe", ["65.54.227.120", "127.0.0.1"]),
    ("2606:4700::1111", []),
])
def test_ipv6_forms_are_unwrapped_to_the_ipv4_address_inside(form: str, inside: list[str]) -> None:
    address = ip_address(form)
    assert address.version == 6
    assert [str(a) for a in carried_ipv4(address)] == inside


class _StubDNS:
    """A name-resolution backend (a stub of DNS): each lookup of a name answers the next address in line."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers

    def resolveHostName(self, receiver: Any, host: str, port: int = 0, *rest: Any) -> Any:
        receiver.resolutionBegan(host)
        receiver.addressResolved(IPv4Address("TCP", self.answers.pop(0), port))
        receiver.resolutionComplete()
        return host


class _Collect:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: IPv4Address) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


def test_every_resolution_is_vetted_not_only_the_first() -> None:
    """DNS rebinding: the name answers public, then loopback; the connecting side never gets loopback."""
    guard = GuardedResolver(_StubDNS(["93.184.216.34", "127.0.0.1", "93.184.216.34"]))
    lookups = [_Collect() for _ in range(3)]
    for lookup in lookups:
        guard.resolveHostName(lookup, "news.example", 80)
        if lookup is lookups[1]:
            assert guard.refused("news.example") == "127.0.0.1"
    assert [lookup.addresses for lookup in lookups] == [["93.184.216.34"], [], ["93.184.216.34"]]
    assert all(lookup.complete for lookup in lookups)  # the endpoint fails as for an unknown name
    assert guard.refused("NEWS.example") is None  # a later global answer clears the refusal


def _routes() -> dict[str, Callable[..., None]]:
    home = b"<html><body><a href='/story'>story</a></body></html>"
    return {
        "/": lambda server, conn, head: conn.sendall(page(home, extra=[(b"Connection", b"close")])),
        "/story": lambda server, conn, head: conn.sendall(page(ARTICLE, extra=[(b"Connection", b"close")])),
    }


def _records(collection: Path) -> list[str]:
    types = []
    for path in sorted((collection / "archive").glob("*.warc.gz*")):
        with path.open("rb") as fh:
            types += [record.rec_type for record in ArchiveIterator(fh)]
    return types


def _report(collection: Path) -> dict[str, Any]:
    (path,) = sorted((collection / "runs").glob("*.json"))
    report: dict[str, Any] = json.loads(path.read_text())
    return report


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "news.rebind.test"])
def test_a_loopback_site_is_refused_before_any_request_reaches_it(host: str, tmp_path: Path) -> None:
    """A literal address (no DNS), a name the system resolves to loopback, and a rebinding name whose
    connecting lookup answers loopback (a stub of DNS; the system resolver does not know it): the server
    sees no request at all, nothing is archived, and the refusal names host, address and the option."""
    with HostileServer(routes=_routes()) as server:
        seed = server.url.replace("127.0.0.1", host)
        proc = run_newsarchive("crawl", seed, "--root", str(tmp_path), "--collection", "c",
                               "-s", "TWISTED_DNS_RESOLVER=tests.stub_dns.RebindingDNS")
        assert server.requests == []
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "%s resolves to non-public address 127.0.0.1 (to crawl it, pass --allow-private)" % host in proc.stderr
    assert [t for t in _records(tmp_path / "c") if t != "warcinfo"] == []
    assert _report(tmp_path / "c")["stats"]["fetch/refused_private"] >= 1
    assert not any(f.read_text().strip() for f in (tmp_path / "c" / "items").glob("*.jsonl"))


def test_a_loopback_site_is_crawled_with_allow_private(tmp_path: Path) -> None:
    with HostileServer(routes=_routes()) as server:
        proc = run_newsarchive("crawl", server.url.replace("127.0.0.1", "localhost"), "--root", str(tmp_path),
                               "--collection", "c", "--allow-private", "-s", "DISCOVERY_PROBE=0",
                               "-s", "TWISTED_DNS_RESOLVER=tests.stub_dns.RebindingDNS")
        assert server.requested("/story") == 1
    assert proc.returncode == 0, proc.stderr
    assert _records(tmp_path / "c").count("response") == 3  # robots.txt, home, story
    assert "fetch/refused_private" not in _report(tmp_path / "c")["stats"]
