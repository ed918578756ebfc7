"""Find the byline of a page from links to author pages near its headline."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.fields import clean_authors

__all__ = [
    "byline_names",
    "clean_people",
    "is_site_account",
    "labeled_byline",
    "looks_like_name",
    "marked_byline",
    "in_skipped_container",
    "strip_credit_tails",
]

# the last path segment of an author page: /author/jane-doe, /autoren/name/max-mustermann
_AUTHOR_HREF_RE = re.compile(
    r"/(?:authors?|autor(?:en|in|innen)?|auteurs?|autore|autori|autores|journalists?|"
    r"people|person|profiles?|staff|writers?|reporters?|contributors?|columnists?|av|"
    r"redakteur(?:in)?|mitarbeiter|forfatter|skribent|toimittaja)/(?:[^/?#]+/)?[^/?#]+/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_NAME_WORD_RE = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|[a-zà-ÿ]{1,3}|Dr\.|Prof\.)$")
_BLOCK_CHARS = 400  # a byline block is short; a teaser card with an author link is not
# "Follow Jane Doe", "Mehr von Jane Doe", "Jane Doe Folgen": a follow / topic button, never a byline
_WIDGET_RE = re.compile(
    r"^(?:follow|folgen|mehr von|more from|more by|alle artikel von|abonnieren|subscribe)\b"
    r"|\b(?:folgen|follow|abonnieren|subscribe)\s*\+?$",
    re.IGNORECASE,
)
# "Editor: X", "Edited by X": who edited the story, not who wrote it
_EDITOR_RE = re.compile(
    r"(?:^|\s|[|,;·•])(?:edited by|editing by|editor|redigiert von|bearbeitet von|redigert av|"
    r"redigerad av|rédigé par|édité par|editado por)\s*:?\s",
    re.IGNORECASE,
)


def looks_like_name(text: str) -> bool:
    """True for "Jane Doe", "Marco De Luca", "Dr. Eva Berg": two to five capitalized words."""
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    return sum(1 for w in words if w[0].isupper()) >= 2 and all(_NAME_WORD_RE.match(w) for w in words)


_BLOCK_LEVELS = 5  # link, name wrapper, person card, the row of cards, the byline
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
            and looks_like_name(" ".join(link.text_content().split()))
            and not _WIDGET_RE.search(link.text_content().strip())
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
    for _ in range(_BLOCK_LEVELS):
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


def in_skipped_container(element: HtmlElement, skip: re.Pattern[str] = _SKIP_CONTAINERS_RE) -> bool:
    """True inside a comment, sidebar, related or teaser box (or whatever *skip* names)."""
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if marks.strip() and skip.search(marks):
            return True
    return False


def _marked_text(element: HtmlElement) -> str | None:
    text = " ".join(" ".join(element.itertext()).split())
    if _WIDGET_RE.search(text) or _EDITOR_RE.match(" " + text):
        return None  # a follow button or an editor credit in an author-marked element
    if 2 < len(text) < 120 and not in_skipped_container(element):
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
        if 2 < len(text) < 100 and not in_skipped_container(element) and not _WIDGET_RE.search(text):
            return text
    return None


# "Jane Doe, Professor at Example University": an affiliation or role after the name
_AFFILIATION_RE = re.compile(
    r"\s(?:at|of|for|bei|an der|für|à|chez|på|ved)\s|\w\.[a-z]{2,3}\b"
    r"|\b(?:univers|professor|lecturer|researcher|director|student|analyst|doktor|dozent|"
    r"forscher|chefredakt|professeur|chercheur)\w*",
    re.IGNORECASE,
)


def strip_credit_tails(value: str) -> str | None:
    """A raw byline without editor credits and affiliation tails; None for an editor credit alone.

    "Jane Doe, Professor at X University, Site.lt" is "Jane Doe"; "By Jane Doe | Edited by
    Tom Lee" is "By Jane Doe"; "Jane Doe, John Smith" and "Jane Doe, dpa" are left alone.
    """
    text = " ".join(value.split())
    editor = _EDITOR_RE.search(text)
    if editor is not None:
        text = text[: editor.start()].rstrip(" |,;·•-–—")
        if not text:
            return None
    head, sep, tail = text.partition(", ")
    if sep and looks_like_name(head) and _AFFILIATION_RE.search(" " + tail):
        return head
    return text


_ACCOUNT_WORDS = frozenset(
    "desk online redaktion staff team news newsroom digital editors web net plus red".split()
)


def is_site_account(name: str, site_names: list[str]) -> bool:
    """True for a newsroom account named after the site: "Example D", "Example Desk".

    The site's name followed by a letter, an initial or a desk word; "Example Smith" for a
    site called "Example" is a person.
    """
    words = [w.casefold().strip(".") for w in name.split()]
    for site in site_names:
        site_words = [w.casefold() for w in site.split()]
        count = len(site_words)
        if not site_words or len(words) not in (count, count + 1) or words[:count] != site_words:
            continue
        if len(words) == count or len(words[-1]) <= 2 or words[-1] in _ACCOUNT_WORDS:
            return True
    return False


def clean_people(values: list[str], exclude: list[str]) -> list[str]:
    """:func:`clean_authors` without editor credits, affiliation tails and the site's accounts."""
    stripped = [s for s in (strip_credit_tails(v) for v in values if v) if s]
    return [n for n in clean_authors(stripped, exclude) if not is_site_account(n, exclude)]
