"""What a requisite scan found: deduplicated, joined against the document's base as a browser
joins, up to a limit (crawler/requisite_scan.py for HTML, crawler/requisite_css.py for CSS)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse, urlsplit, urlunparse

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_INVISIBLE = re.compile(r"[\t\n\r]")  # removed from URLs by browsers
_BAD_HOST = re.compile(r"[\x00-\x20\x7f]")
_HTTP_NETLOC = re.compile(r"https?://([^/?#]*)", re.ASCII)  # urlparse made the scheme lower-case
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]++(?::[0-9]*+)?+(?:[/?][^#;]*+)?+(?:#|\Z)", re.ASCII)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


@dataclass(frozen=True)
class Requisite:
    """One resource a document needs to render."""

    url: str  # absolute http(s), fragment dropped
    kind: str  # "stylesheet" | "import" | "image" | "font" | "script" | "icon" | "poster" | "other"


class Found:
    """The requisites found so far, deduplicated, up to the limit; joined against the base."""

    def __init__(self, document_url: str, limit: int, expect_base: bool = False) -> None:
        self.document_url = document_url
        self.limit = limit
        self.requisites: list[Requisite] = []
        self.urls: set[str] = set()
        self.cut = False
        self._set_base(document_url)
        # Until the first <base href>, what was found is kept as written: that base applies to
        # the whole page, also to what came before it.
        self._before_base: dict[tuple[str, str], None] | None = {} if expect_base else None

    def _set_base(self, base: str) -> None:
        self.base = base
        self.values: set[str] = set()  # as written: a value seen before needs no second join
        try:
            parts = urlsplit(base)
        except ValueError:
            self.origin: str | None = None
        else:
            sound = parts.scheme in ("http", "https") and _host_of(parts.netloc) is not None
            self.origin = "%s://%s" % (parts.scheme, parts.netloc) if sound else None

    def add(self, value: str, kind: str) -> None:
        if self.cut or is_data(value) or value in self.values:
            return
        self.values.add(value)
        if self._before_base is not None:
            self._before_base[value, kind] = None
        url = absolute_url(value, self.base, self.origin)
        if url is None or url in self.urls:
            return
        if 0 < self.limit <= len(self.requisites):
            self.cut = True
            return
        self.urls.add(url)
        self.requisites.append(Requisite(url, kind))

    def set_base(self, href: str) -> None:
        if self._before_base is None:
            return  # not the first <base href>
        before, self._before_base = self._before_base, None
        base = absolute_url(href, self.document_url, None)
        if base is None:
            return
        self._set_base(base)
        self.requisites, self.urls = [], set()
        for value, kind in before:
            self.add(value, kind)


def absolute_url(value: str, base: str, origin: str | None) -> str | None:
    """`value` joined to `base` as a browser would, without its fragment; None unless http(s).

    `origin` is the base's "scheme://netloc" when the base is a sound http(s) URL: a path from
    the root without dot segments (most values) is joined by appending it.
    """
    value = value.strip(_C0_AND_SPACE)
    if "\t" in value or "\n" in value or "\r" in value:
        value = _URL_INVISIBLE.sub("", value)
    if not value or value[0] == "#":  # nothing, or a part of the document itself
        return None
    if "\\" in value:  # browsers read a backslash as a slash in http(s) URLs, before the query
        path, question, query = value.partition("?")
        value = path.replace("\\", "/") + question + query
    if origin is not None and value[0] == "/" and value[1:2] != "/":
        path, question, query = value.partition("#")[0].partition("?")
        if "/." not in path and ";" not in path:  # no dot segments, no params: urljoin would append it
            return origin + path + (question + query if query else "")
    scheme = _SCHEME.match(value)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        return None
    if _PLAIN_ABSOLUTE.match(value):  # the usual absolute URL: urljoin would not change it
        url = value.partition("#")[0]
        return url[:-1] if url.find("?") == len(url) - 1 else url
    try:
        if scheme is not None and value.startswith("//", scheme.end()):
            parts = urlparse(value)
            if not parts.netloc:  # "http:///x": no host
                return None
            url = urlunparse(parts)  # what urljoin makes of it, whatever the base is
        else:
            url = urljoin(base, value)
    except ValueError:  # such as an unclosed IPv6 bracket
        return None
    netloc = _HTTP_NETLOC.match(url)
    if netloc is None or _host_of(netloc.group(1)) is None:
        return None
    return url.partition("#")[0]


def _host_of(netloc: str) -> str | None:
    """The host of a URL's "user@host:port", or None if there is none or it cannot be one."""
    if _BAD_HOST.search(netloc):
        return None
    host = netloc.rpartition("@")[2]
    if host[:1] != "[":
        host = host.partition(":")[0]
    return host or None


def is_data(value: str) -> bool:
    return value[:16].lstrip(_C0_AND_SPACE)[:5].lower() == "data:"
