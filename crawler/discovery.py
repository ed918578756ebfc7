"""Reads feeds and sitemaps: what pages and further documents they list, and how recent each is.

RSS 2.0 / 1.0, Atom, JSON Feed 1 and 1.1, sitemaps, sitemap indexes and Google News sitemaps,
gzipped or not. With a cut-off time, dated entries older than it are left out (and counted);
entries without a date are kept. The date of an entry is its most recent one: `pubDate`,
`dc:date`, Atom `published`/`updated`, JSON Feed `date_published`/`date_modified`,
`news:publication_date`, `lastmod` (a sitemap index's child sitemap not modified since the
cut-off lists nothing newer, so it is left out as well).
"""
from __future__ import annotations

import gzip
import io
import json
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

MAX_XML_SIZE = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file, uncompressed
MAX_ENTRIES = 50_000  # the sitemap protocol's limit of URLs in one file
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json+feed")
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
             "application/x-gzip", "application/gzip", "application/octet-stream")
JSON_TYPES = ("application/feed+json", "application/json+feed", "application/json", "text/json")
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
# no entities resolved (no XXE, no entity bombs), nothing fetched, libxml2's size limits kept
_PARSER_OPTIONS: dict[str, Any] = {
    "recover": True, "resolve_entities": False, "no_network": True, "remove_comments": True, "huge_tree": False,
}
# root element -> (kind, entry element, which date elements count)
_SHAPES = {
    "urlset": ("sitemap", "url", "sitemap"),
    "sitemapindex": ("sitemapindex", "sitemap", "sitemap"),
    "rss": ("rss", "item", "rss"),
    "rdf": ("rss", "item", "rss"),
    "feed": ("atom", "entry", "atom"),
}
# Element names (namespace dropped, lower case) that carry an entry's date, per document kind.
_DATE_TAGS = {
    "rss": ("pubdate", "date", "updated", "published"),  # dc:date, atom:updated in RSS
    "atom": ("published", "updated"),
    "sitemap": ("lastmod", "publication_date"),  # news:publication_date
}


@dataclass
class Discovered:
    """What a feed or sitemap points at: pages (articles, listings) and further documents."""

    kind: str  # "sitemap", "news_sitemap", "sitemapindex", "rss", "atom", "jsonfeed", "unknown"
    pages: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # sitemaps listed by a sitemap index
    too_old: int = 0  # dated entries left out because they are older than the cut-off
    entries: int = 0  # entries read
    bound: str = ""  # "entries" or "document_size" when reading stopped at a bound of `Limits`


@dataclass(frozen=True)
class Limits:
    """The most one document may cost: entries read, and bytes read (inflated, for a gzipped one)."""

    entries: int = MAX_ENTRIES  # 0: no bound
    size: int = MAX_XML_SIZE


DEFAULT_LIMITS = Limits()


def looks_like_xml(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip()
    if head.startswith(b"\x1f\x8b"):
        return True
    if content_type in XML_TYPES:
        return True
    return head.startswith(b"<?xml") and b"<html" not in head.lower()


def looks_like_json_feed(body: bytes, content_type: str) -> bool:
    head = body[:1024].lstrip()
    if not head.startswith(b"{"):
        return False
    return content_type in JSON_TYPES or b"jsonfeed.org/version" in head


def parse_document(body: bytes, content_type: str, since: datetime | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> Discovered | None:
    """The feed or sitemap in `body`, or None when it is neither (an HTML page, say)."""
    if looks_like_json_feed(body, content_type):
        found = parse_json_feed(body, since, limits)
        if found.kind != "unknown" or content_type in FEED_TYPES:
            return found
        return None  # some other JSON: not ours to read
    if looks_like_xml(body, content_type):
        return parse_xml_document(body, since, limits)
    return None


def parse_xml_document(body: bytes, since: datetime | None = None, limits: Limits = DEFAULT_LIMITS) -> Discovered:
    """Read a sitemap, sitemap index, RSS or Atom document (gzipped or not).

    The document is read as a stream: a gzipped one is inflated only as far as it is read (at
    most `limits.size` bytes: no gzip bomb), and reading stops at `limits.entries` entries.
    """
    source = _Capped(gzip.GzipFile(fileobj=io.BytesIO(body)) if body[:2] == b"\x1f\x8b" else io.BytesIO(body),
                     limits.size)
    found: Discovered | None = None
    entry_tag = date_kind = ""
    try:
        for _, element in etree.iterparse(source, **_PARSER_OPTIONS):  # "end" events: whole elements
            if found is None:  # the first element read tells the document's kind by its root
                shape = _SHAPES.get(_local(element.getroottree().getroot().tag))
                if shape is None:
                    return Discovered("unknown")
                kind, entry_tag, date_kind = shape
                found = Discovered(kind)
            if _local(element.tag) != entry_tag:
                continue
            if limits.entries and found.entries >= limits.entries:
                found.bound = "entries"
                break
            _take(found, element, date_kind, since)
            _forget(element)
    except (etree.XMLSyntaxError, ValueError, OSError, EOFError, zlib.error) as err:
        logger.debug("document read up to an error: %s", err)  # what came before it counts
    if found is None:
        return Discovered("unknown")
    if source.cut and not found.bound:
        found.bound = "document_size"
    if found.kind == "sitemapindex":  # what an index lists are further documents
        found.documents, found.pages = found.pages, []
    return found


def parse_json_feed(body: bytes, since: datetime | None = None, limits: Limits = DEFAULT_LIMITS) -> Discovered:
    """Read a JSON Feed (https://jsonfeed.org/version/1 and /1.1)."""
    try:
        feed = json.loads(body[:limits.size])
    except (ValueError, UnicodeDecodeError):
        return Discovered("unknown")
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(JSON_FEED_VERSION):
        return Discovered("unknown")
    found = Discovered("jsonfeed")
    items = feed.get("items")
    items = items if isinstance(items, list) else []
    if limits.entries and len(items) > limits.entries:
        items, found.bound = items[:limits.entries], "entries"
    found.entries = len(items)
    for item in items:
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        if not isinstance(url, str) or not url.strip():
            continue
        dates = [item.get("date_published"), item.get("date_modified")]
        if since is not None and _older(_parse_dates(d for d in dates if isinstance(d, str)), since):
            found.too_old += 1
            continue
        found.pages.append(url.strip())
    return found


# -- XML entries ---------------------------------------------------------------------------
def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _take(found: Discovered, entry: etree._Element, date_kind: str, since: datetime | None) -> None:
    """Count one entry of a document, and keep its URL unless it is older than `since`."""
    found.entries += 1
    if found.kind == "sitemap" and any(_local(el.tag) == "news" for el in entry):
        found.kind = "news_sitemap"
    url, dates = _url_and_dates(entry, date_kind, _DATE_TAGS[date_kind], since is not None)
    if not url:
        return
    if since is not None and _older(_parse_dates(dates), since):
        found.too_old += 1
        return
    found.pages.append(url)


def _forget(entry: etree._Element) -> None:
    """Drop a read entry and what came before it, so a long document takes little memory."""
    entry.clear(keep_tail=True)
    parent = entry.getparent()
    if parent is not None:
        while entry.getprevious() is not None:
            del parent[0]


class _Capped:
    """The first `limit` bytes of a stream; `cut` when it held more (a gzip stream is inflated only
    as far as it is read)."""

    def __init__(self, raw: Any, limit: int) -> None:
        self._raw = raw
        self._left = limit
        self.cut = False

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            if not self.cut and self._raw.read(1):
                self.cut = True
            return b""
        data: bytes = self._raw.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data


def _url_and_dates(entry: etree._Element, kind: str, date_tags: tuple[str, ...],
                   want_dates: bool) -> tuple[str, list[str]]:
    url = ""
    guid = ""
    dates: list[str] = []
    for el in entry.iter():
        name = _local(el.tag)
        if kind == "atom" and name == "link" and el.getparent() is entry:
            if not url and el.get("href") and el.get("rel", "alternate") == "alternate":
                url = el.get("href", "").strip()
        elif name in ("loc", "link") and kind != "atom" and not url and el.getparent() is entry:
            url = (el.text or "").strip()  # not image:loc and the like, nested deeper
        elif name == "guid" and el.get("isPermaLink", "true") == "true" and el.text:
            guid = el.text.strip()  # RSS: a permalink guid stands in for a missing <link>
        elif want_dates and name in date_tags and el.text and el.text.strip():
            dates.append(el.text.strip())
    if not url and kind == "rss":
        url = entry.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or (
            guid if guid.startswith(("http://", "https://")) else "")
    return url, dates


# -- dates ---------------------------------------------------------------------------------
def parse_date(text: str) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 / W3C (Atom, sitemaps, JSON Feed) date, in UTC; naive is UTC."""
    text = text.strip()
    value: datetime | None = None
    if text[:4].isdigit():
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            if len(text) == 7 and text[4] == "-":  # W3C "YYYY-MM"
                try:
                    value = datetime.fromisoformat(text + "-01")
                except ValueError:
                    return None
    else:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def _parse_dates(texts: Iterable[str]) -> list[datetime]:
    return [d for d in (parse_date(t) for t in texts) if d is not None]


def _older(dates: list[datetime], since: datetime) -> bool:
    """Dated, and even its most recent date is before the cut-off."""
    return bool(dates) and max(dates) < since
