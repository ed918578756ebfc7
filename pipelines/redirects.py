"""Redirects, recorded in one place for the crawl (its capture) and for replay (its reading)."""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import urljoin

from archive.store import Store
from pipelines.canonical import InvalidURL, canonicalize

REDIRECTS = (301, 302, 303, 307, 308)


class RedirectAliases:
    """A redirect makes its source another URL of its target, in the store (even if the target
    was seen first); with `remember_sources`, also in memory, so that replay can tell a target
    page the URLs that led to it (the crawl knows them from Scrapy's redirect middleware)."""

    def __init__(self, store: Store, run_id: str, remember_sources: bool = False) -> None:
        self.store = store
        self.run_id = run_id
        self._sources: dict[str, list[str]] | None = defaultdict(list) if remember_sources else None

    def note(self, url: str, status: int, location: str | None) -> bool:
        """Record a response: a 3xx with a Location; True if that made a new alias."""
        if not location or not 300 <= status < 400:
            return False
        try:
            source = canonicalize(url)
            target = canonicalize(urljoin(url, location))
        except InvalidURL:
            return False
        if self._sources is not None and status in REDIRECTS:
            self._sources[target].append(source)
        return self.store.add_alias(source, target, "redirect", self.run_id)

    def sources_of(self, url: str) -> list[str]:
        """The canonical URLs that redirected to `url`, first seen first."""
        if not self._sources:
            return []
        try:
            found = self._sources.get(canonicalize(url), [])
        except InvalidURL:
            return []
        return list(dict.fromkeys(found))
