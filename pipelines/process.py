"""The chain every captured page goes through, live or in replay: extract -> dedupe -> write."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from archive.codings import decode_payload
from pipelines.canonical import InvalidURL, canonicalize, host_of
from pipelines.dedupe import NEW, UPDATED, Deduper, Verdict
from pipelines.extraction_types import BINARY, Extraction, PageExtractor, looks_binary
from pipelines.textnorm import content_hash, simhash

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
ITEM_FIELDS = (
    "url", "fetched_url", "title", "authors", "published", "modified", "language", "site_name",
    "description", "tags", "image", "text", "word_count", "content_hash", "simhash",
    "fetched_at", "warc", "run", "extractor", "version",
)


@dataclass
class Page:
    """A captured HTTP response as the chain sees it.

    `body` is content-decoded, unless `codings` lists codings still on it: replay leaves
    undoing them to the extraction workers, so that its one reading process stays light.
    """

    url: str
    body: bytes
    status: int = 200
    content_type: str = "text/html"
    encoding: str | None = None  # charset from the Content-Type header
    fetched_at: str | None = None  # WARC-Date of the capture
    warc: dict[str, object] | None = None  # where the response record is
    redirected_from: list[str] = field(default_factory=list)
    codings: tuple[str, ...] = ()  # content/transfer codings still on `body`, as applied

    def decoded_body(self) -> bytes:
        if not self.codings:
            return self.body
        return decode_payload(self.body, self.codings, self.url)


class ItemSink(Protocol):
    def write(self, item: dict[str, object]) -> None: ...


@dataclass
class Outcome:
    verdict: str  # "written", "duplicate:<kind>", "not-article:<why>", "skipped:<why>", "error:<why>"
    item: dict[str, object] | None = None


class ArticleProcessor:
    """Turns pages into items, dropping non-articles and duplicates; counts what it did."""

    def __init__(
        self,
        extractor: PageExtractor,
        deduper: Deduper,
        sink: ItemSink,
        run_id: str,
        stats: Counter[str] | None = None,
    ) -> None:
        self.extractor = extractor
        self.deduper = deduper
        self.sink = sink
        self.run_id = run_id
        self.stats: Counter[str] = stats if stats is not None else Counter()
        self._logged_errors: set[str] = set()

    def process(self, page: Page) -> Outcome:
        """The whole chain in this process (replay and the crawl hand extraction to workers)."""
        skipped = self.precheck(page)
        if skipped is not None:
            return skipped
        body = page.decoded_body()
        if page.codings and looks_binary(body):
            return self._count(Outcome(BINARY))
        return self.process_extraction(page, self.extractor.extract(body, page.url, encoding=page.encoding))

    def precheck(self, page: Page) -> Outcome | None:
        """An Outcome for pages not worth extracting (errors, non-HTML), else None."""
        if page.status != 200:
            return self._count(Outcome("skipped:status-%d" % page.status))
        if page.content_type and page.content_type not in HTML_TYPES:
            return self._count(Outcome("skipped:not-html"))
        if not page.codings and looks_binary(page.body):
            return self._count(Outcome(BINARY))  # (with codings on it, the worker looks)
        return None

    def process_extraction(self, page: Page, extraction: Extraction) -> Outcome:
        """The decision half, separate so extraction can run elsewhere (worker processes)."""
        if extraction.article is None:
            if extraction.reason.startswith("error"):
                self._log_error_once(page.url, extraction.reason)
                return self._count(Outcome(extraction.reason))
            return self._count(Outcome(extraction.reason if ":" in extraction.reason
                                       else "not-article:" + extraction.reason))
        item = self.build_item(page, extraction)
        refetched = _canonical_or_raw(page.url) == item["url"]
        verdict = self.deduper.judge(str(item["url"]), str(item["content_hash"]), str(item["simhash"]),
                                     refetched=refetched)
        return self._count(self._decide(page, item, verdict))

    def build_item(self, page: Page, extraction: Extraction) -> dict[str, object]:
        return build_item(page, extraction, self.run_id, self.extractor.info)

    def _decide(self, page: Page, item: dict[str, object], verdict: Verdict) -> Outcome:
        url = str(item["url"])
        others = [u for u in [page.url, *page.redirected_from] if u != url]
        if verdict.kind in (NEW, UPDATED):
            item["version"] = verdict.version
            # item first: a crash between the two leaves a repeat for export to merge, not a loss
            self.sink.write(item)
            self.deduper.remember(url, str(item["content_hash"]), str(item["simhash"]),
                                  self.run_id, str(item["fetched_at"] or ""), verdict.version,
                                  str(item["published"]) if item.get("published") else None)
            if verdict.kind == UPDATED:
                self.stats["items/updated"] += 1
            for other in others:
                self.deduper.alias(_canonical_or_raw(other), url, "fetched", self.run_id)
            return Outcome("written", item)
        original = verdict.original or url
        reason = "duplicate:" + verdict.kind
        for alias in [url, *others]:
            self.deduper.alias(_canonical_or_raw(alias), original, reason, self.run_id)
        logger.debug("%s is a %s duplicate of %s", page.url, verdict.kind, original)
        return Outcome(reason, item)

    def _count(self, outcome: Outcome) -> Outcome:
        verdict = outcome.verdict
        if verdict == "written":
            self.stats["items/written"] += 1
        elif verdict.startswith("duplicate:"):
            self.stats["dedupe/" + verdict.split(":", 1)[1]] += 1
        elif verdict.startswith("not-article"):
            self.stats["extract/not_article"] += 1
            self.stats["extract/reason/" + verdict.split(":", 1)[-1]] += 1
        elif verdict.startswith("error"):
            self.stats["extract/error"] += 1
        else:
            self.stats["extract/" + verdict.replace(":", "/")] += 1
        return outcome

    def _log_error_once(self, url: str, reason: str) -> None:
        kind = reason.split(":", 2)[1] if reason.count(":") else reason
        if kind not in self._logged_errors:
            self._logged_errors.add(kind)
            logger.warning("extraction failed for %s: %s (further failures of this kind are only counted)",
                           url, reason)


def build_item(
    page: Page, extraction: Extraction, run_id: str | None, extractor_info: dict[str, str]
) -> dict[str, object]:
    """The item's fields in DESIGN order, from an extraction of `page`."""
    article = dict(extraction.article or {})
    page_url = _canonical_or_raw(page.url)
    url = _canonical_or_raw(str(article.get("url") or page.url))
    if host_of(url) != host_of(page_url):
        url = page_url  # a canonical link may not move an article to another site
    text = str(article.get("text") or "")
    article.update(
        url=url,
        fetched_url=page.url if page.url != url else None,
        word_count=article.get("word_count") or len(text.split()),
        content_hash=article.get("content_hash") or content_hash(text),  # workers hash already
        simhash=article.get("simhash") or simhash(text),
        fetched_at=page.fetched_at,
        warc=page.warc,
        run=run_id,
        extractor=extractor_info,
        version=1,
    )
    return {name: article.get(name) for name in ITEM_FIELDS}


def _canonical_or_raw(url: str) -> str:
    try:
        return canonicalize(url)
    except InvalidURL:
        return url
