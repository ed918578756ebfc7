"""Decides whether an extracted article is new, or a copy of one the collection already has."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from archive.store import Store
from pipelines.textnorm import hamming

logger = logging.getLogger(__name__)

NEW = "new"
SAME_URL = "url"
EXACT = "exact"
NEAR = "near"
UPDATED = "updated"


@dataclass(frozen=True)
class Verdict:
    kind: str  # NEW, UPDATED, SAME_URL, EXACT or NEAR
    original: str | None = None  # URL of the article this one duplicates
    distance: int = 0
    version: int = 1  # of the item to write, for NEW and UPDATED

    @property
    def is_duplicate(self) -> bool:
        return self.kind not in (NEW, UPDATED)


class Deduper:
    """Canonical URL first, then the sha256 of the normalized text, then SimHash distance."""

    def __init__(self, store: Store, near_distance: int = 3) -> None:
        if not 0 <= near_distance <= 3:
            # the store's band index finds every match only up to distance 3
            raise ValueError("near_distance must be between 0 and 3, not %d" % near_distance)
        self.store = store
        self.near_distance = near_distance

    def judge(self, url: str, content_hash: str, simhash: str, refetched: bool = False) -> Verdict:
        """`refetched`: the page was fetched at the article's own URL (not a copy naming it canonical),
        so different text there is a new version of the article, not a duplicate."""
        known = self.store.article(url)
        if known is not None:
            if refetched and known.content_hash != content_hash:
                return Verdict(UPDATED, url, version=known.version + 1)
            return Verdict(SAME_URL, url)
        target = self.store.alias_target(url)
        if target is not None:
            return Verdict(SAME_URL, target)
        same = self.store.article_by_hash(content_hash)
        if same is not None:
            return Verdict(EXACT, same.url)
        if self.near_distance > 0:
            best: tuple[int, str] | None = None
            for known in self.store.near_candidates(simhash):
                distance = hamming(simhash, known.simhash)
                if distance <= self.near_distance and (best is None or (distance, known.url) < best):
                    best = (distance, known.url)
            if best is not None:
                return Verdict(NEAR, best[1], best[0])
        return Verdict(NEW)

    def remember(self, url: str, content_hash: str, simhash: str, run: str, fetched_at: str,
                 version: int = 1, published: str | None = None) -> None:
        self.store.add_article(url, content_hash, simhash, run, fetched_at, version, published)

    def alias(self, alias: str, url: str, reason: str, run: str) -> bool:
        return self.store.add_alias(alias, url, reason, run)

    def record_outcome(self, url: str, run: str, kind: str, detail: str, duplicate_of: str | None = None,
                       fetched_at: str | None = None, warc: str | None = None) -> None:
        """What became of the page at `url` (the store keeps it for `inspect` and the run's figures)."""
        self.store.record_outcome(url, run, kind, detail, duplicate_of, fetched_at, warc)
