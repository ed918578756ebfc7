"""Decide whether a page is one article or something else (listing, tag, author, home page)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from lxml.html import HtmlElement

__all__ = ["PageSignals", "classify", "count_teaser_links", "url_kind"]

# top-level JSON-LD types of pages that list or describe other things
_LISTING_TYPES = ("CollectionPage", "SearchResultsPage", "ProfilePage", "ItemList")
_VIDEO_TYPES = frozenset({"VideoObject", "VideoGallery"})

# path segments that introduce a listing: /tag/foo, /author/jane-doe, /category/world/page/2
_LISTING_SEGMENTS = {
    "tag": "tag",
    "tags": "tag",
    "schlagwort": "tag",
    "thema": "tag",
    "themen": "tag",
    "topic": "tag",
    "topics": "tag",
    "author": "author",
    "authors": "author",
    "autor": "author",
    "autoren": "author",
    "auteur": "author",
    "profile": "author",
    "people": "author",
    "category": "listing",
    "categories": "listing",
    "section": "listing",
    "archive": "listing",
    "archives": "listing",
    "search": "search",
    "suche": "search",
    "recherche": "search",
    "buscar": "search",
}
_PAGE_SEGMENT_RE = re.compile(r"^page$|^seite$|^pagina$")
_QUERY_KINDS = {"page": "listing", "paged": "listing", "s": "search", "q": "search", "query": "search"}
_HOME_PATH_RE = re.compile(r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:index\.\w+)?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d{5,}")


def _article_like(segment: str) -> bool:
    """A slug or id that names one story ("eu-leaders-agree-on-budget", "a-1234567")."""
    stem = segment.rsplit(".", 1)[0]
    return len(re.split(r"[-_+]", stem)) >= 4 or bool(_NUMBER_RE.search(stem))


def _names_a_story(url: str) -> bool:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return bool(segments) and _article_like(segments[-1])


def url_kind(url: str) -> str | None:
    """Return "home", "tag", "author", "listing" or "search" when the URL names such a page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    query = dict(parse_qsl(parts.query))
    if _HOME_PATH_RE.match(path) and not query:
        return "home"
    segments = [s for s in path.split("/") if s]
    if segments and _article_like(segments[-1]):
        return None
    for key, kind in _QUERY_KINDS.items():
        value = query.get(key, "")
        # "?page=1" rides along on many article URLs; "?page=3" is a listing's third page
        if value and (kind != "listing" or (value.isdigit() and int(value) > 1)):
            return kind
    for i, segment in enumerate(segments):
        lowered = segment.lower()
        segment_kind = _LISTING_SEGMENTS.get(lowered)
        # a listing keyword close to the end of the path: /tag/x, /category/a/b
        if segment_kind and len(segments) - i <= 3:
            return segment_kind
        if _PAGE_SEGMENT_RE.match(lowered) and i + 1 < len(segments) and segments[i + 1].isdigit():
            return "listing"
    return None


def count_teaser_links(tree: HtmlElement) -> int:
    """Number of links whose text has four or more words, as teaser headlines do."""
    return sum(1 for a in tree.iter("a") if len(a.text_content().split()) >= 4)


@dataclass(frozen=True)
class PageSignals:
    """What is known about a page when classifying it.

    ``text_length`` and ``link_ratio`` describe the extracted main text and are None
    before extraction; ``article_is_top_level`` tells whether the JSON-LD article node is
    the page's own entity rather than an entry nested in a list.
    """

    url: str
    jsonld_types: frozenset[str] = field(default_factory=frozenset)
    article_type: str | None = None
    article_is_top_level: bool = True
    og_type: str | None = None
    text_length: int | None = None
    link_ratio: float | None = None
    longest_paragraph_words: int | None = None
    teaser_links: int | None = None  # links on the page whose text reads like a headline


def classify(signals: PageSignals, min_text_length: int = 200) -> tuple[bool, str]:
    """Return ``(is_article, reason)``.

    Reasons read "article:jsonld-NewsArticle", "article:og-article", "article:text",
    "not-article:jsonld-CollectionPage", "not-article:tag", "not-article:home",
    "not-article:listing", "not-article:og-website", "not-article:video", "not-article:too-short".
    Called before
    extraction (text unknown) it only rules out what the markup and URL already show.
    """
    listing = next((t for t in _LISTING_TYPES if t in signals.jsonld_types), None)
    og_type = (signals.og_type or "").lower()
    if signals.article_type and (signals.article_is_top_level or not listing):
        if signals.text_length is not None and signals.text_length < min_text_length:
            return False, "not-article:too-short"
        return True, f"article:jsonld-{signals.article_type}"
    if listing:
        return False, f"not-article:jsonld-{listing}"
    kind = url_kind(signals.url)
    if kind and og_type != "article":
        return False, f"not-article:{kind}"
    if signals.text_length is None:
        return True, "article:pending"
    if signals.text_length < min_text_length:
        return False, "not-article:too-short"
    is_video = og_type.startswith("video") or bool(signals.jsonld_types & _VIDEO_TYPES)
    if is_video and signals.text_length < 2 * min_text_length:
        return False, "not-article:video"
    if og_type == "article":
        return True, "article:og-article"
    # text that is mostly link text is a list of teasers (a shopping list article says
    # og:type=article, which is why that is checked first)
    if signals.link_ratio is not None and signals.link_ratio >= 0.6:
        return False, "not-article:listing"
    # many headline links and not one paragraph of running prose: a section front
    if (signals.teaser_links or 0) >= 8 and (signals.longest_paragraph_words or 0) < 30:
        return False, "not-article:listing"
    # a page that calls itself a website, at a URL that names no story (/about/, /contact)
    if og_type in ("website", "profile") and not _names_a_story(signals.url):
        return False, f"not-article:og-{og_type}"
    return True, "article:text"
