"""URL identity: one spelling per resource, so the same article is never fetched or kept twice."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit, urlunsplit

import idna
from w3lib.url import safe_url_string

# Parameters that only say where a click came from; they never select different content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "wickedid", "rb_clickid", "s_cid", "ncid", "cmpid", "ocid", "sr_share",
    "at_medium", "at_campaign", "spm", "share", "ref_src", "ref_url",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_custom")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# URLs that w3lib's safe_url_string leaves as they are (but for the case of scheme and host, the
# port's spelling and an empty fragment, which canonicalize() sets itself): ASCII host names,
# and a path and query of characters it never quotes. Most links are such; they skip the costly
# parse (tests/test_pipelines_canonical.py checks the two ways agree).
_PLAIN_URL = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?(?::[0-9]*)?"
    r"(?:/[!$%&'()*+,\-./0-9:;=@A-Z_a-z~]*)?(?:\?[!$%&()*+,\-./0-9:;=?@A-Z_a-z~]*)?(?:#[!-~]*)?"
)


# The same without a port, with the host and path it has canonicalized (see plain_host_and_path).
_PLAIN_HOST_PATH = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)"
    r"(?P<path>/[!$%&'()*+,\-./0-9:=@A-Z_a-z~]*)?(?:\?[!$%&()*+,\-./0-9:;=?@A-Z_a-z~]*)?(?:#[!-~]*)?"
)


# A host name: dot-separated labels of letters, digits, "_" and "-" (after IDNA), 253 at most.
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_MAX_HOST = 253
# A last label of digits (or hex 0x..) makes a browser read the host as an IPv4 address.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


class InvalidURL(ValueError):
    """Not an absolute http(s) URL with a valid host."""


def is_tracking_param(name: str) -> bool:
    lname = name.lower()
    return lname in TRACKING_PARAMS or lname.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """Lower-case scheme and host; drop default port, credentials, fragment, tracking parameters.

    The order of the remaining query parameters is kept: some servers depend on it, and
    we fetch the canonical URL itself.
    """
    return urlunsplit(canonical_parts(url))


def canonical_parts(url: str) -> SplitResult:
    """`urlsplit(canonicalize(url))`, without splitting the canonical URL again."""
    stripped = url.strip()
    try:
        parts = urlsplit(stripped if _PLAIN_URL.fullmatch(stripped) else safe_url_string(stripped))
        port = parts.port
    except (ValueError, UnicodeError) as err:  # UnicodeError: a host IDNA cannot encode
        raise InvalidURL("%r: %s" % (url, err)) from err
    scheme = parts.scheme.lower()
    hostname = parts.hostname
    if scheme not in _DEFAULT_PORTS or not hostname:
        raise InvalidURL("%r is not an absolute http(s) URL" % url)
    host = valid_host(hostname)
    if host is None:
        raise InvalidURL("%r: %r is no valid host name" % (url, hostname))
    if ":" in host:  # IPv6 literal
        host = "[%s]" % host
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else "%s:%d" % (host, port)
    query = parts.query
    if query:  # filter the raw segments so the kept ones keep their exact spelling
        kept = [seg for seg in query.split("&") if seg and not is_tracking_param(unquote_plus(seg.split("=", 1)[0]))]
        query = "&".join(kept)
    return SplitResult(scheme, netloc, parts.path or "/", query, "")


def valid_host(hostname: str) -> str | None:
    """The canonical spelling of a URL's host (lower case, IDNA, no final dot), or None if it is
    none: an IPv4 address, an IPv6 address (without its brackets), or labels [a-z0-9_-]{1,63}."""
    host = hostname.lower().rstrip(".")
    if ":" in host:  # kept as written (Python versions spell some addresses differently)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:  # also a zone id (fe80::1%eth0): it means nothing off the machine
            return None
        return None if "%" in host else host
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii").lower()
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    if len(host) > _MAX_HOST:
        return None
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if _NUMERIC_LABEL.fullmatch(labels[-1]):  # must then be an IPv4 address, as browsers read it
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return None
    return host


def canonical_link_parts(base: str, href: str) -> SplitResult:
    """urlsplit(canonicalize(urljoin(base, href))): a plain absolute URL (most links) needs no join.

    Any link that makes no valid URL raises InvalidURL, never another error.
    """
    stripped = href.strip()
    if ";" not in stripped and _PLAIN_URL.fullmatch(stripped):  # urljoin drops an empty ";params"
        return canonical_parts(stripped)
    try:
        joined = urljoin(base, href)
    except ValueError as err:  # urljoin splits the link: "http://[/" is no URL
        raise InvalidURL("%r: %s" % (href, err)) from err
    return canonical_parts(joined)


def plain_host_and_path(href: str) -> tuple[str, str] | None:
    """The host and path of `canonical_link_parts(base, href)` for an absolute link of plain
    characters and no port, read off the link (no base needed); None for any other link."""
    match = _PLAIN_HOST_PATH.fullmatch(href.strip())
    if match is None:
        return None
    return match.group("host").lower().rstrip("."), match.group("path") or "/"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
