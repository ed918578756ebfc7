"""Bounds on the work one response may cost, and how a bound that was hit is told.

A page of a million links, a sitemap of millions of entries, a gzip bomb or a robots.txt of
megabytes would otherwise hold the reactor for minutes (measured: a 12 MB robots.txt held it
49 s). Each is read only up to its bound: links per page (DISCOVERY_MAX_LINKS_PER_PAGE), entries
per feed or sitemap (DISCOVERY_MAX_ENTRIES, 50,000 as the sitemap protocol says), bytes per
document once inflated (DOWNLOAD_MAXSIZE, at most the protocol's 50 MB) and bytes of robots.txt
(500 KiB, where Google stops). Past a bound the rest is ignored, the hit is counted in
`discovery/bound/<what>`, and the first hit of each bound is a WARNING naming the URL.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from crawler.discovery import MAX_ENTRIES, MAX_XML_SIZE, Limits

logger = logging.getLogger(__name__)

ROBOTS_MAX_SIZE = 500 * 1024  # Google reads the first 500 KiB of a robots.txt and ignores the rest
MAX_LINKS_PER_PAGE = 5000

# what -> how a WARNING names the bound (%d: its value)
_NAMES = {
    "links": "more than %d links: the rest are not followed (DISCOVERY_MAX_LINKS_PER_PAGE)",
    "entries": "more than %d entries: the rest are not read (DISCOVERY_MAX_ENTRIES)",
    "document_size": "more than %d bytes once inflated: the rest is not read (DOWNLOAD_MAXSIZE, 50 MB at most)",
    "robots_size": "more than %d bytes: only the lines before are read, as Google does",
}


@dataclass(frozen=True)
class ResponseBounds:
    """The bounds of the settings, read once."""

    max_links: int = MAX_LINKS_PER_PAGE  # 0: no bound
    max_entries: int = MAX_ENTRIES  # 0: no bound
    max_document_size: int = MAX_XML_SIZE

    @classmethod
    def from_settings(cls, settings: Any) -> ResponseBounds:
        maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        return cls(max_links=settings.getint("DISCOVERY_MAX_LINKS_PER_PAGE", MAX_LINKS_PER_PAGE),
                   max_entries=settings.getint("DISCOVERY_MAX_ENTRIES", MAX_ENTRIES),
                   max_document_size=min(maxsize, MAX_XML_SIZE) if maxsize > 0 else MAX_XML_SIZE)

    @property
    def limits(self) -> Limits:
        """What crawler/discovery.py reads of one feed or sitemap."""
        return Limits(entries=self.max_entries, size=self.max_document_size)

    def value(self, what: str) -> int:
        return {"links": self.max_links, "entries": self.max_entries, "document_size": self.max_document_size,
                "robots_size": ROBOTS_MAX_SIZE}[what]


class BoundNotice:
    """Counts each bound hit in `discovery/bound/<what>`; names the first hit of each in a WARNING."""

    def __init__(self, crawler: Any, config: ResponseBounds) -> None:
        self._crawler = crawler  # its stats exist once the crawl starts, after the spider is made
        self.config = config
        self._told: set[str] = set()

    def hit(self, what: str, url: str) -> None:
        if self._crawler is not None:
            self._crawler.stats.inc_value("discovery/bound/" + what)
        if what in self._told:
            return
        self._told.add(what)
        logger.warning("%s has %s; further hits of this bound are counted in discovery/bound/%s",
                       url, _NAMES[what] % self.config.value(what), what)
