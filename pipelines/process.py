"""The decide half of the chain every captured page goes through: page + extraction -> item
written once, or a counted drop. `pipelines.ordered` calls it, in the order pages came in."""
from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from typing import Protocol

from pipelines.canonical import InvalidURL, canonicalize, host_of
from pipelines.dedupe import NEW, UPDATED, Deduper, Verdict
from pipelines.extraction_types import Article, Extraction, looks_binary
from pipelines.textnorm import content_hash, simhash
from pipelines.values import ITEM_FIELDS, Item, Outcome, OutcomeKind, Page

__all__ = ["HTML_TYPES", "ITEM_FIELDS", "Decider", "ItemSink", "Page", "build_item", "item_of", "skip_outcome"]

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


class ItemSink(Protocol):
    def write(self, item: dict[str, object]) -> None: ...


class Decider:
    """Drops non-articles and duplicates, writes the rest; counts what it did.

    Not thread-safe and order-sensitive (dedupe compares with what was written before):
    one `OrderedChain` calls it, from one thread.
    """

    def __init__(
        self,
        deduper: Deduper,
        sink: ItemSink,
        run_id: str,
        extractor_info: dict[str, str],
        stats: MutableMapping[str, int],
    ) -> None:
        self.deduper = deduper
        self.sink = sink
        self.run_id = run_id
        self.extractor_info = extractor_info
        self.stats = stats
        self._logged_errors: set[str] = set()

    def precheck(self, page: Page) -> Outcome | None:
        """The (counted) outcome of a page not worth extracting (errors, non-HTML), else None."""
        outcome = skip_outcome(page)
        return None if outcome is None else self._done(page, outcome)

    def decide(self, page: Page, extraction: Extraction) -> Outcome:
        """Dedupe and write the page's article; callers keep the order pages came in."""
        if extraction.article is None:
            outcome = Outcome.of_failed_extraction(extraction.reason)
            if outcome.kind is OutcomeKind.ERROR:
                self._log_error_once(page.url, outcome)
            return self._done(page, outcome)
        item = item_of(page, Article.from_fields(extraction.article), self.run_id, self.extractor_info)
        refetched = _canonical_or_raw(page.url) == item.url
        verdict = self.deduper.judge(item.url, item.content_hash, item.simhash, refetched=refetched)
        return self._done(page, self._settle(page, item, verdict), verdict)

    def _settle(self, page: Page, item: Item, verdict: Verdict) -> Outcome:
        url = item.url
        others = [u for u in [page.url, *page.redirected_from] if u != url]
        if verdict.kind in (NEW, UPDATED):
            item.version = verdict.version
            # item first: a crash between the two leaves a repeat for export to merge, not a loss
            self.sink.write(item.to_dict())
            self.deduper.remember(url, item.content_hash, item.simhash, self.run_id, item.fetched_at or "",
                                  verdict.version, item.published or None)
            if verdict.kind == UPDATED:
                self.stats["items/updated"] = self.stats.get("items/updated", 0) + 1
            for other in others:
                self.deduper.alias(_canonical_or_raw(other), url, "fetched", self.run_id)
            return Outcome(OutcomeKind.WRITTEN, item=item)
        original = verdict.original or url
        reason = "duplicate:" + verdict.kind  # the alias's reason, as the store keeps it
        for alias in [url, *others]:
            self.deduper.alias(_canonical_or_raw(alias), original, reason, self.run_id)
        logger.debug("%s is a %s duplicate of %s", page.url, verdict.kind, original)
        return Outcome(OutcomeKind.DUPLICATE, verdict.kind, item)

    def _done(self, page: Page, outcome: Outcome, verdict: Verdict | None = None) -> Outcome:
        """Count `outcome` and record it in the store, with where the page's capture is."""
        for counter in outcome.counters():
            self.stats[counter] = self.stats.get(counter, 0) + 1
        detail = outcome.detail
        duplicate_of = None
        if verdict is not None:
            detail = detail or verdict.kind  # written: new or updated
        if outcome.kind is OutcomeKind.DUPLICATE and verdict is not None:
            duplicate_of = verdict.original or (outcome.item.url if outcome.item else None)
        self.deduper.record_outcome(_canonical_or_raw(page.url), self.run_id, outcome.kind, detail, duplicate_of,
                                    page.fetched_at, warc_location(page.warc))
        return outcome

    def _log_error_once(self, url: str, outcome: Outcome) -> None:
        kind = outcome.detail.split(":", 1)[0]
        if kind not in self._logged_errors:
            self._logged_errors.add(kind)
            logger.warning("extraction failed for %s: %s (further failures of this kind are only counted)",
                           url, outcome)


def skip_outcome(page: Page) -> Outcome | None:
    """The outcome of a page not worth extracting (errors, non-HTML, nothing in it), else None."""
    if page.status != 200:
        return Outcome(OutcomeKind.SKIPPED, "status-%d" % page.status)
    if page.content_type and page.content_type not in HTML_TYPES:
        return Outcome(OutcomeKind.SKIPPED, "not-html")
    if not page.codings and not page.body.strip():  # nothing to extract: no failure of the extractor
        return Outcome(OutcomeKind.NOT_ARTICLE, "empty")
    if not page.codings and looks_binary(page.body):
        return Outcome(OutcomeKind.SKIPPED, "binary")  # (with codings on it, the worker looks)
    return None


def item_of(page: Page, article: Article, run_id: str | None, extractor_info: dict[str, str]) -> Item:
    """The item for `article`, extracted from `page`."""
    page_url = _canonical_or_raw(page.url)
    url = _canonical_or_raw(article.url or page.url)
    if host_of(url) != host_of(page_url):
        url = page_url  # a canonical link may not move an article to another site
    text = article.text or ""
    return Item(
        url=url,
        fetched_url=page.url if page.url != url else None,
        title=article.title,
        authors=article.authors,
        published=article.published,
        modified=article.modified,
        language=article.language,
        site_name=article.site_name,
        description=article.description,
        tags=article.tags,
        image=article.image,
        text=article.text,
        word_count=article.word_count or len(text.split()),
        content_hash=article.content_hash or content_hash(text),  # workers hash already
        simhash=article.simhash or simhash(text),
        fetched_at=page.fetched_at,
        warc=page.warc,
        run=run_id,
        extractor=extractor_info,
    )


def warc_location(warc: Mapping[str, object] | None) -> str | None:
    """"filename#offset" of the record a page's `warc` names, or None."""
    if not warc or warc.get("filename") is None or warc.get("offset") is None:
        return None
    return "%s#%s" % (warc["filename"], warc["offset"])


def build_item(
    page: Page, extraction: Extraction, run_id: str | None, extractor_info: dict[str, str]
) -> dict[str, object]:
    """The item's JSON object for an extraction that found an article (`newsarchive extract`)."""
    assert extraction.article is not None, "no article to build an item of"
    return item_of(page, Article.from_fields(extraction.article), run_id, extractor_info).to_dict()


def _canonical_or_raw(url: str) -> str:
    try:
        return canonicalize(url)
    except InvalidURL:
        return url
