"""Find the byline of a page from links to author pages near its headline."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

__all__ = ["byline_names", "labeled_byline", "marked_byline"]

# the last path segment of an author page: /author/jane-doe, /autoren/name/max-mustermann
_AUTHOR_HREF_RE = re.compile(
    r"/(?:authors?|autor(?:en|in|innen)?|auteurs?|autore|autori|autores|journalists?|"
    r"people|person|profiles?|staff|writers?|reporters?|contributors?|columnists?|av|"
    r"redakteur(?:in)?|mitarbeiter|forfatter|skribent|toimittaja)/(?:[^/?#]+/)?[^/?#]+/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_NAME_WORD_RE = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|[a-zà-ÿ]{1,3}|Dr\.|Prof\.)$")
_BLOCK_CHARS = 400  # a byline block is short; a teaser card with an author link is not


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    return sum(1 for w in words if w[0].isupper()) >= 2 and all(_NAME_WORD_RE.match(w) for w in words)


_SENTENCE_CHARS = 200  # a paragraph this long around a link is running text, not a byline


def _in_running_text(link: HtmlElement) -> bool:
    """True for a link inside a paragraph of prose ("President <a href=/people/x>X</a> said")."""
    for ancestor in link.iterancestors("p"):
        return len(ancestor.text_content()) > _SENTENCE_CHARS
    return False


def _author_links(root: HtmlElement) -> list[HtmlElement]:
    found = []
    for link in root.iter("a"):
        href = link.get("href") or ""
        if (
            (_AUTHOR_HREF_RE.search(href) or link.get("rel") == "author")
            and _looks_like_name(" ".join(link.text_content().split()))
            and not _in_running_text(link)
        ):
            found.append(link)
    return found


def byline_names(tree: HtmlElement) -> list[str]:
    """Names linked to author pages in the first byline-sized block after the headline.

    Only the block around the first such link counts, so that bylines of teasers for other
    stories further down the page are not taken for this article's authors.
    """
    body = tree.find("body")
    if body is None:
        return []
    headline = next(body.iter("h1"), None)
    links = _author_links(body)
    if headline is not None:
        # document order: keep the links that come after the headline, if any do
        after = [a for a in links if _follows(headline, a)]
        links = after or links
    if not links:
        return []
    first = links[0]
    block = first
    for _ in range(3):
        parent = block.getparent()
        # a block holding headings is the article or a teaser, no longer the byline
        if parent is None or len(parent.text_content()) > _BLOCK_CHARS or _has_heading(parent):
            break
        block = parent
    names = []
    for link in links:
        if link is first or _inside(link, block):
            names.append(" ".join(link.text_content().split()))
    return names


def _has_heading(element: HtmlElement) -> bool:
    return any(True for _ in element.iter("h1", "h2", "h3", "h4"))


def _inside(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _follows(first: HtmlElement, other: HtmlElement) -> bool:
    """True when *other* comes after *first* in document order."""
    # sourceline is cheap and right for parsed pages; equal lines fall back to tree order
    a, b = first.sourceline or 0, other.sourceline or 0
    if a != b:
        return b > a
    for element in first.itersiblings():
        if element is other or _inside(other, element):
            return True
    return _inside(other, first)


# class/id/itemprop/rel values that mark a byline: specific ones first, then generic ones
_SPECIFIC_RE = re.compile(r"author-?name|authorName|AuthorName|author__name")
_GENERIC_RE = re.compile(r"byline|Byline|author|Author")
_SKIP_TAGS = frozenset({"meta", "link", "script", "style", "img", "html", "body", "head"})
_SKIP_CONTAINERS_RE = re.compile(r"comment|sidebar|related|teaser|footer|widget|quote", re.IGNORECASE)


def _in_skipped_container(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if marks.strip() and _SKIP_CONTAINERS_RE.search(marks):
            return True
    return False


def _marked_text(element: HtmlElement) -> str | None:
    text = " ".join(" ".join(element.itertext()).split())
    if 2 < len(text) < 120 and not _in_skipped_container(element):
        return text
    return None


def marked_byline(tree: HtmlElement) -> str | None:
    """Text of the first element whose class, id, itemprop or rel marks it as the byline.

    Elements marked specifically (``rel=author``, ``itemprop=author``, "author-name")
    win over generic marks ("byline", "author") anywhere on the page.
    """
    generic: str | None = None
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        css, ident = element.get("class"), element.get("id")
        prop, rel = element.get("itemprop"), element.get("rel")
        if not (css or ident or prop or rel):
            continue
        if rel == "author" or (prop and "author" in prop) or (css and _SPECIFIC_RE.search(css)):
            text = _marked_text(element)
            if text:
                return text
        elif generic is None and (
            (css and _GENERIC_RE.search(css)) or (ident and _GENERIC_RE.search(ident))
        ):
            generic = _marked_text(element)
    return generic


# a label in front of the author's name: "<strong>Author</strong> Jane Doe", "<dt>Autorin</dt><dd>..."
_LABEL_RE = re.compile(
    r"^(?:autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autoren|authors?|auteur(?:e|s)?|autore|autori|autor[ae]s|"
    r"forfatter|skribent|reporter|written\s+by|text|von|by)\s*:?$",
    re.IGNORECASE,
)
_LABEL_TAGS = ("strong", "b", "dt", "th", "span", "label", "em", "li", "p", "dd")


def labeled_byline(tree: HtmlElement) -> str | None:
    """The name after the first author label ("Author", "Autorin/Autor", "Von:"), if short."""
    body = tree.find("body")
    if body is None:
        return None
    for element in body.iter(_LABEL_TAGS):
        label = (element.text or "").strip()
        if not label or len(label) > 20 or not _LABEL_RE.match(label):
            continue
        if len(element):  # "<li>Von: <a>Jane Doe</a></li>": the label starts the block
            text = element.text_content().strip()[len(label) :]
        else:  # "<strong>Author</strong> Jane Doe" or "<dt>Author</dt><dd>Jane Doe</dd>"
            text = element.tail or ""
            following = element.getnext()
            if not text.strip() and following is not None:
                text = following.text_content()
        text = " ".join(text.split())
        if 2 < len(text) < 100 and not _in_skipped_container(element):
            return text
    return None
