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

from lxml import etree

logger = logging.getLogger(__name__)

MAX_XML_SIZE = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file, uncompressed
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json+feed")
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
             "application/x-gzip", "application/gzip", "application/octet-stream")
JSON_TYPES = ("application/feed+json", "application/json+feed", "application/json", "text/json")
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
)
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


def parse_document(body: bytes, content_type: str, since: datetime | None = None) -> Discovered | None:
    """The feed or sitemap in `body`, or None when it is neither (an HTML page, say)."""
    if looks_like_json_feed(body, content_type):
        found = parse_json_feed(body, since)
        if found.kind != "unknown" or content_type in FEED_TYPES:
            return found
        return None  # some other JSON: not ours to read
    if looks_like_xml(body, content_type):
        return parse_xml_document(body, since)
    return None


def parse_xml_document(body: bytes, since: datetime | None = None) -> Discovered:
    """Read a sitemap, sitemap index, RSS or Atom document (gzipped or not)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_XML_SIZE + 1)  # bounded: no gzip bombs
        except (OSError, EOFError, zlib.error) as err:
            logger.debug("not a readable gzip document: %s", err)
            return Discovered("unknown")
    if len(body) > MAX_XML_SIZE:
        body = body[:MAX_XML_SIZE]
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Discovered("unknown")
    kind = _local(root.tag)
    if kind == "urlset":
        found = _entries(root, "url", "sitemap", since)
        if any(_local(el.tag) == "news" for url in root for el in url):
            found.kind = "news_sitemap"
        return found
    if kind == "sitemapindex":
        index = _entries(root, "sitemap", "sitemap", since)
        return Discovered("sitemapindex", documents=index.pages, too_old=index.too_old)
    if kind in ("rss", "rdf"):
        found = _entries(root, "item", "rss", since)
        found.kind = "rss"
        return found
    if kind == "feed":
        return _entries(root, "entry", "atom", since)
    return Discovered("unknown")


def parse_json_feed(body: bytes, since: datetime | None = None) -> Discovered:
    """Read a JSON Feed (https://jsonfeed.org/version/1 and /1.1)."""
    try:
        feed = json.loads(body[:MAX_XML_SIZE])
    except (ValueError, UnicodeDecodeError):
        return Discovered("unknown")
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(JSON_FEED_VERSION):
        return Discovered("unknown")
    found = Discovered("jsonfeed")
    items = feed.get("items")
    for item in items if isinstance(items, list) else ():
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


def _entries(root: etree._Element, entry_tag: str, kind: str, since: datetime | None) -> Discovered:
    found = Discovered(kind)
    date_tags = _DATE_TAGS[kind]
    for entry in root.iter():
        if _local(entry.tag) != entry_tag:
            continue
        url, dates = _url_and_dates(entry, kind, date_tags, since is not None)
        if not url:
            continue
        if since is not None and _older(_parse_dates(dates), since):
            found.too_old += 1
            continue
        found.pages.append(url)
    return found


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
