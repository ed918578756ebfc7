"""Finds article candidates in feeds, sitemaps and HTML pages."""
from __future__ import annotations

import gzip
import io
import logging
import zlib
from dataclasses import dataclass, field

from lxml import etree

logger = logging.getLogger(__name__)

MAX_XML_SIZE = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file, uncompressed
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json+feed")
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
             "application/x-gzip", "application/gzip", "application/octet-stream")
_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
)


@dataclass
class Discovered:
    """What an XML document points at: pages (articles, listings) and further documents."""

    kind: str  # "sitemap", "sitemapindex", "rss", "atom", "unknown"
    pages: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # sitemaps listed by a sitemap index


def looks_like_xml(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip()
    if head.startswith(b"\x1f\x8b"):
        return True
    if content_type in XML_TYPES:
        return True
    return head.startswith(b"<?xml") and b"<html" not in head.lower()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_xml_document(body: bytes) -> Discovered:
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
        return Discovered("sitemap", pages=_texts(root, "url", "loc"))
    if kind == "sitemapindex":
        return Discovered("sitemapindex", documents=_texts(root, "sitemap", "loc"))
    if kind in ("rss", "rdf"):
        return Discovered("rss", pages=_texts(root, "item", "link"))
    if kind == "feed":
        return Discovered("atom", pages=_atom_links(root))
    return Discovered("unknown")


def _texts(root: etree._Element, parent: str, child: str) -> list[str]:
    found = []
    for elem in root.iter():
        if _local(elem.tag) != parent:
            continue
        for sub in elem:
            if _local(sub.tag) == child and sub.text and sub.text.strip():
                found.append(sub.text.strip())
                break
    return found


def _atom_links(root: etree._Element) -> list[str]:
    found = []
    for entry in root.iter():
        if _local(entry.tag) != "entry":
            continue
        links = [el for el in entry if _local(el.tag) == "link" and el.get("href")]
        best = next((el for el in links if el.get("rel", "alternate") == "alternate"), None)
        if best is not None:
            found.append(best.get("href", "").strip())
    return found
