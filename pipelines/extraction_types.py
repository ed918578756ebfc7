"""What an extraction takes and gives, without loading the extractor.

The crawl and replay processes only hand pages to extraction workers and read their results:
importing this instead of `pipelines.extract` keeps trafilatura, htmldate, dateparser and the
language model out of them (tens of MB each, in every process that imports them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

__all__ = [
    "ARTICLE_FIELDS",
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "Article",
    "ExtractOptions",
    "Extraction",
    "PageExtractor",
    "extractor_info",
    "looks_binary",
]

BINARY = "skipped:binary"


def looks_binary(body: bytes) -> bool:
    """A NUL byte early on: binary data labelled as HTML, unless UTF-16 (which starts with a BOM)."""
    return b"\x00" in body[:4096] and not body.startswith((b"\xff\xfe", b"\xfe\xff"))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


EXTRACTOR_NAME = "newsarchive"
EXTRACTOR_VERSION = f"{_version('newsarchive')}+trafilatura-{_version('trafilatura')}"


def extractor_info() -> dict[str, str]:
    """``{"name", "version"}`` of the extractor, recorded in every item."""
    return {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}


@dataclass(frozen=True)
class ExtractOptions:
    """Extraction knobs; the defaults are what the crawler uses."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    fast: bool = False  # skip trafilatura's fallback extractors (readability, justext)
    min_text_length: int = 200  # shorter main text -> not an article
    max_page_bytes: int = 20_000_000  # larger pages are refused rather than parsed


@dataclass(frozen=True)
class Article:
    """The fields an extraction found, typed; the workers add the text's two hashes."""

    url: str | None
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
    word_count: int | None
    content_hash: str | None = None
    simhash: str | None = None

    @classmethod
    def from_fields(cls, found: Mapping[str, Any]) -> Article:
        """From the extractor's mapping (what crosses the process boundary), values as they are."""
        values: dict[str, Any] = {name: found.get(name) for name in ARTICLE_FIELDS}
        return cls(**values)


ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass(frozen=True)
class Extraction:
    """Result of one extraction: the article fields, or None and the reason why not.

    `article` stays the extractor's plain mapping (cheap to pickle between processes, and read by
    key by its callers); the chain makes it an `Article` with `Article.from_fields`.
    """

    article: dict[str, Any] | None
    reason: str


class PageExtractor(Protocol):
    """Anything that extracts pages: the extractor itself, or a pool of workers running it."""

    @property
    def info(self) -> dict[str, str]: ...

    def extract(self, html: bytes | str, url: str, *, encoding: str | None = None) -> Extraction: ...
