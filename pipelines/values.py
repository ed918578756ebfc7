"""The typed values that pass between the floors: a captured `Page`, the `Item` written for it,
and the `Outcome` of deciding it (the extractor's `Article` is in `pipelines.extraction_types`)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum


@dataclass
class Page:
    """A captured HTTP response as the chain sees it (the spider yields it; replay reads it).

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
    redirected_from: list[str] = field(default_factory=list)  # canonical URLs that led here
    codings: tuple[str, ...] = ()  # content/transfer codings still on `body`, as applied


@dataclass
class Item:
    """One output record; its fields, in this order, are the JSON line (DESIGN's item format)."""

    url: str
    fetched_url: str | None
    title: str | None
    authors: list[str]
    published: str | None
    modified: str | None
    language: str | None
    site_name: str | None
    description: str | None
    tags: list[str]
    image: str | None
    text: str
    word_count: int
    content_hash: str
    simhash: str
    fetched_at: str | None
    warc: dict[str, object] | None
    run: str | None
    extractor: dict[str, str]
    version: int = 1

    def to_dict(self) -> dict[str, object]:
        """The JSON line's object, fields in order (values as they are: no copies)."""
        return {name: getattr(self, name) for name in ITEM_FIELDS}


ITEM_FIELDS = tuple(f.name for f in fields(Item))


class OutcomeKind(StrEnum):
    WRITTEN = "written"
    DUPLICATE = "duplicate"  # detail: the dedupe kind (url, exact, near)
    NOT_ARTICLE = "not_article"  # detail: the classifier's reason
    SKIPPED = "skipped"  # detail: why it was not extracted (status-404, not-html, binary)
    ERROR = "error"  # detail: what failed


@dataclass(frozen=True)
class Outcome:
    """What became of one page; `item` is set when one was built (written or duplicate)."""

    kind: OutcomeKind
    detail: str = ""
    item: Item | None = None

    def __str__(self) -> str:
        return "%s:%s" % (self.kind, self.detail) if self.detail else str(self.kind)

    @classmethod
    def of_failed_extraction(cls, reason: str) -> Outcome:
        """The outcome an extractor's reason string names: "error:…", "skipped:…",
        "not-article:…" or a bare not-article reason."""
        prefix, _, rest = reason.partition(":")
        if prefix == "error":
            return cls(OutcomeKind.ERROR, rest)
        if prefix == "skipped" and rest:
            return cls(OutcomeKind.SKIPPED, rest)
        return cls(OutcomeKind.NOT_ARTICLE, rest if prefix == "not-article" and rest else reason)

    def counters(self) -> tuple[str, ...]:
        """The run-report counters this outcome adds one to."""
        if self.kind is OutcomeKind.WRITTEN:
            return ("items/written",)
        if self.kind is OutcomeKind.DUPLICATE:
            return ("dedupe/" + self.detail,)
        if self.kind is OutcomeKind.NOT_ARTICLE:
            return ("extract/not_article", "extract/reason/" + self.detail)
        if self.kind is OutcomeKind.ERROR:
            return ("extract/error",)
        return ("extract/skipped/" + self.detail,)
