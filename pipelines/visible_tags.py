"""The tag list an article shows its readers, for pages whose metadata names no keywords.

Two generic signs: links marked ``rel="tag"`` (microformats, WordPress themes), else the first
container whose class or id says tag(s), topic(s) or keywords and whose links read like tags
(a few words each). Sidebars, navigation and footers carry site-wide tag clouds and topic
menus, which are no article's tags.
"""
from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

__all__ = ["visible_tags"]

# class / id words of a tag list, in the languages we see
_TAG_WORDS = frozenset(
    "tag tags topic topics keyword keywords schlagwort schlagworte schlagwoerter stichwort "
    "stichworte themen etiquetas etiqueta temas tematy tagi motscles mots-cles argomenti".split()
)
_NOT_THE_ARTICLE = frozenset({"aside", "nav", "footer", "header"})
_NOT_A_TAG_LIST = frozenset({"cloud", "tagcloud", "menu", "nav", "trending", "popular", "widget"})
# class and id values, read in C; those containing a stem of _TAG_WORDS name the candidates
# (4x cheaper than an XPath that lowercases and compares every element's names)
_NAMES = XPath("//@class | //@id", smart_strings=True)
_STEMS_RE = re.compile(r"tag|topic|keyword|schlag|stichw|themen|etiquet|temas|mots", re.IGNORECASE)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_MAX_WORDS = 5
_MAX_CHARS = 50
_MAX_TAGS = 30


def _words(element: HtmlElement) -> set[str]:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return set(_SPLIT_RE.split(_CAMEL_RE.sub("-", names).lower())) - {""}


def _outside_the_article(element: HtmlElement) -> bool:
    """In a sidebar, a menu, or the page's own header or footer (an article's footer is its own)."""
    ancestors = list(element.iterancestors())
    in_article = any(a.tag in ("article", "main") for a in ancestors)
    for a in ancestors:
        if a.tag in _NOT_THE_ARTICLE and (a.tag in ("aside", "nav") or not in_article):
            return True
        if _words(a) & _NOT_A_TAG_LIST:
            return True
    return False


def _tag_text(link: HtmlElement) -> str | None:
    text = " ".join(link.text_content().split()).lstrip("#").strip()
    if not text or len(text) > _MAX_CHARS or len(text.split()) > _MAX_WORDS:
        return None
    return text


def _distinct(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for text in texts:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out[:_MAX_TAGS]


def visible_tags(tree: HtmlElement) -> list[str]:
    """The tags the page shows with its article, in page order; [] when it shows none."""
    marked = [link for link in tree.iter("a") if "tag" in (link.get("rel") or "").lower().split()]
    marked = [link for link in marked if not _outside_the_article(link)]
    if marked:
        return _distinct([t for t in map(_tag_text, marked) if t])
    candidates = (name.getparent() for name in _NAMES(tree) if _STEMS_RE.search(name))
    for container in candidates:
        if container is None or container.tag in ("a", "body", "html", "meta", "link", "script", "style"):
            continue
        words = _words(container)
        if not words & _TAG_WORDS or words & _NOT_A_TAG_LIST or _outside_the_article(container):
            continue
        links = list(container.iter("a"))
        texts = [_tag_text(link) for link in links]
        if not links or len(links) > _MAX_TAGS or None in texts:
            continue  # a tag list is nothing but short links (and perhaps its label)
        link_chars = sum(len(t or "") for t in texts)
        label_chars = len(" ".join(container.text_content().split())) - link_chars
        if label_chars > 30 + len(links):
            continue  # prose with links in it, not a list
        return _distinct([t for t in texts if t])
    return []
