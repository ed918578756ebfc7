"""Read a page's structured data (JSON-LD, ``<meta>``, canonical link) from its parsed tree."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from extruct.jsonld import JsonLdExtractor
from lxml.html import HtmlElement

__all__ = ["ARTICLE_TYPES", "PageData", "read_page_data", "type_names"]

logger = logging.getLogger(__name__)

# schema.org CreativeWork types that describe one story (Article and its news subtypes)
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "TechArticle",
        "ScholarlyArticle",
    }
)
_MAX_NODES = 500  # a page listing thousands of products is not worth walking


def type_names(node: dict[str, Any]) -> set[str]:
    """Return the bare schema.org type names of a JSON-LD node ("schema:X", URLs, lists)."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    names = set()
    for value in values:
        if isinstance(value, str) and value:
            names.add(value.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1])
    return names


@dataclass
class PageData:
    """Everything structured a page says about itself, gathered in one walk of the tree."""

    nodes: list[dict[str, Any]] = field(default_factory=list)  # top-level JSON-LD nodes
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    article: dict[str, Any] | None = None  # the JSON-LD node describing this article
    article_type: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None

    @property
    def types(self) -> set[str]:
        """All types of the top-level JSON-LD nodes."""
        out: set[str] = set()
        for node in self.nodes:
            out |= type_names(node)
        return out

    def first_meta(self, *keys: str) -> str | None:
        """Return the first non-empty ``<meta>`` content among *keys*, in that order."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return None

    def resolve(self, value: Any) -> Any:
        """Follow a JSON-LD ``{"@id": ...}`` reference to the node it names, if present."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(value["@id"], value)
        return value


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the nodes of a JSON-LD document: lists and ``@graph`` are flattened."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if "@type" in data:
            yield data
        if isinstance(graph, (list, dict)):
            yield from _walk(graph, depth + 1)


def _nested_articles(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    # WebPage.mainEntity and similar wrappers hold the article one level down
    for key in ("mainEntity", "mainEntityOfPage", "about", "hasPart"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and type_names(item) & ARTICLE_TYPES:
                yield item


def _pick_article(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The node with the most article fields wins; document order breaks ties."""
    best, best_score = None, -1
    for node in candidates:
        score = sum(
            1 for key in ("headline", "articleBody", "datePublished", "author") if node.get(key)
        )
        if score > best_score:
            best, best_score = node, score
    return best


def _read_jsonld(scripts: list[HtmlElement], data: PageData, extractor: JsonLdExtractor) -> None:
    candidates: list[dict[str, Any]] = []
    for script in scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            # one script at a time: a broken block must not hide the valid ones
            items = extractor.extract_items(script)
        except Exception as err:  # noqa: BLE001 - any parser error means "skip this block"
            logger.debug("invalid JSON-LD block skipped: %s", err)
            continue
        for node in _walk(items):
            if len(data.nodes) >= _MAX_NODES:
                break
            data.nodes.append(node)
            node_id = node.get("@id")
            if isinstance(node_id, str):
                data.by_id.setdefault(node_id, node)
            if type_names(node) & ARTICLE_TYPES:
                candidates.append(node)
            candidates.extend(_nested_articles(node))
    data.article = _pick_article(candidates)
    if data.article is not None:
        types = type_names(data.article) & ARTICLE_TYPES
        # the most specific name, e.g. NewsArticle over Article for ["Article", "NewsArticle"]
        data.article_type = max(types, key=lambda t: (t != "Article", len(t)))


def read_page_data(tree: HtmlElement, extractor: JsonLdExtractor | None = None) -> PageData:
    """Collect JSON-LD nodes, ``<meta>`` values, the canonical link, lang and ``<title>``."""
    data = PageData()
    # one walk over the tree for the four tags read here, in document order
    scripts: list[HtmlElement] = []
    metas: list[HtmlElement] = []
    links: list[HtmlElement] = []
    title: HtmlElement | None = None
    for element in tree.iter("script", "meta", "link", "title"):
        tag = element.tag
        if tag == "meta":
            metas.append(element)
        elif tag == "script":
            scripts.append(element)
        elif tag == "link":
            links.append(element)
        elif title is None and element is not tree:
            title = element
    _read_jsonld(scripts, data, extractor or JsonLdExtractor())
    for meta in metas:
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        if not key:
            equiv = meta.get("http-equiv")
            key = equiv if equiv and equiv.lower() == "content-language" else None
        content = meta.get("content")
        if key and content is not None:
            data.meta.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    for link in links:
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href") and data.canonical is None:
            data.canonical = link.get("href", "").strip()
    lang = tree.get("lang") or tree.get("xml:lang")
    if not lang:
        body = tree.find("body")
        lang = body.get("lang") if body is not None else None
    data.html_lang = lang.strip() if lang else None
    if title is not None:
        data.title_tag = " ".join(title.text_content().split()) or None
    return data
