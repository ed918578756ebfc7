"""What an extraction takes and gives, without loading the extractor.

The crawl and replay processes only hand pages to extraction workers and read their results:
importing this instead of `pipelines.extract` keeps trafilatura, htmldate, dateparser and the
language model out of them (tens of MB each, in every process that imports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
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
class Extraction:
    """Result of one extraction: the article fields, or None and the reason why not."""

    article: dict[str, Any] | None
    reason: str


class PageExtractor(Protocol):
    """Anything that extracts pages: the extractor itself, or a pool of workers running it."""

    @property
    def info(self) -> dict[str, str]: ...

    def extract(self, html: bytes | str, url: str, *, encoding: str | None = None) -> Extraction: ...
