"""Prepare the page tree for trafilatura and turn its output tree into clean paragraphs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml.etree import XPath, _Element
from lxml.html import HtmlElement
from trafilatura.xpaths import BODY_XPATH as _BODY_FINDERS

__all__ = [
    "Paragraph",
    "body_paragraphs",
    "protect_inline_names",
    "prune_appended_articles",
    "prune_hidden",
    "join_split_body",
    "visible_lede",
]

_INLINE_TAGS = ("span", "a", "strong", "em", "b", "i", "small", "font", "mark", "cite", "u", "time")
_TEXT_BLOCKS = frozenset({"p", "li", "blockquote", "dd", "td", "figcaption", "h2", "h3", "h4", "h5", "h6"})
# class/id words that make trafilatura delete an element wherever it sits
_DISCARD_WORDS_RE = re.compile(
    r"author|byline|meta|widget|share|social|tags|button|banner|sidebar|nav|menu|bar|footer|"
    r"rating|timestamp|user-|slide|overlay|expand|options|yin|teaser|related|comment",
    re.IGNORECASE,
)
# visually hidden text ("opens in a new tab") is rightly dropped: leave those alone
_HIDDEN_RE = re.compile(r"hidden|sr-only|screen-reader|visually|offscreen|hide", re.IGNORECASE)
_BYLINE_START_RE = re.compile(r"^\W*(?:by|von|par|por|door|av|af|text|foto|photo)\b", re.IGNORECASE)


def _text_block(element: HtmlElement) -> HtmlElement | None:
    parent = element.getparent()
    while parent is not None:
        tag = parent.tag
        if tag in _TEXT_BLOCKS:
            return parent
        if tag not in _INLINE_TAGS:
            return None
        parent = parent.getparent()
    return None


def protect_inline_names(tree: HtmlElement) -> int:
    """Unwrap inline elements that trafilatura would delete from the middle of a sentence.

    trafilatura drops any element whose class or id contains words such as "author",
    "byline", "meta" or "widget"; themes wrap names in running text in exactly such spans
    (``<p>... said <span class="td-author-name">Jane Doe</span>, who ...</p>``) and the
    sentence then loses its subject. An inline element inside a paragraph that has real
    text around it is part of the sentence, so its attributes go and its text stays.
    Bylines (a block starting with "By", or a block with such a class itself) are kept
    as they are so that trafilatura still removes them. Returns the number of changes.
    """
    changed = 0
    # per page: the verdict on each class/id string (themes repeat them on every link),
    # and each text block's text, or None when the block itself is marked for deletion;
    # only inline elements lose attributes below, so neither changes during the walk
    verdicts: dict[str, bool] = {}
    blocks: dict[HtmlElement, str | None] = {}
    # a plain walk with an early exit beats an XPath here: no proxy objects for the
    # thousands of inline elements without class or id
    for element in tree.iter(*_INLINE_TAGS):
        css, ident = element.get("class"), element.get("id")
        if not css and not ident:
            continue
        marks = f"{css or ''} {ident or ''}"
        doomed = verdicts.get(marks)
        if doomed is None:
            doomed = verdicts[marks] = bool(_DISCARD_WORDS_RE.search(marks)) and not _HIDDEN_RE.search(marks)
        if not doomed:
            continue
        block = _text_block(element)
        if block is None:
            continue
        if block in blocks:
            whole = blocks[block]
        else:
            block_marks = f"{block.get('class', '')} {block.get('id', '')}"
            whole = blocks[block] = None if _DISCARD_WORDS_RE.search(block_marks) else block.text_content()
        if whole is None:
            continue
        own = element.text_content()
        rest = whole.replace(own, " ", 1)
        if len(own.split()) > 8 or len(rest.split()) < 5 or _BYLINE_START_RE.match(whole):
            continue
        for attribute in ("class", "id"):
            element.attrib.pop(attribute, None)
        changed += 1
    return changed


def prune_appended_articles(tree: HtmlElement, title: str | Sequence[str] | None) -> int:
    """Remove the further stories an infinite-scroll page appends below the one asked for.

    Only when the page holds several separate ``<article>`` elements with their own
    ``<h1>``: the one whose headline matches *title* (or any of several versions of it;
    else the first) stays. Teaser cards of other stories nested in an ``<article>`` (a
    short ``<article>`` with a heading, nearly all link text) go too. Returns the number
    of articles removed.
    """
    removed = _prune_teaser_cards(tree)
    articles = [a for a in tree.iter("article") if next(a.iter("h1"), None) is not None]
    if len(articles) < 2:
        return removed
    titles = [title] if isinstance(title, str) else list(title or ())
    wanted = {_key(t) for t in titles if t} - {""}

    def headline(article: HtmlElement) -> str:
        return _key(next(article.iter("h1")).text_content())

    main = next((a for a in articles if headline(a) in wanted), articles[0])
    for article in articles:
        related = article is main or any(a is main for a in article.iterancestors())
        if related or any(a is article for a in main.iterancestors()):
            continue
        if article.getparent() is not None:
            article.drop_tree()
            removed += 1
    return removed


_CARD_MAX_WORDS = 40
_CARD_LINK_SHARE = 0.8


def _prune_teaser_cards(tree: HtmlElement) -> int:
    doomed = []
    for card in tree.iter("article"):
        if next(card.iterancestors("article"), None) is None:
            continue
        if next(card.iter("h2", "h3", "h4", "h5", "h6"), None) is None:
            continue
        text = card.text_content()
        if len(text.split()) > _CARD_MAX_WORDS:
            continue
        # a live blog's entries are nested articles too, but their text is not a link
        links = [a for a in card.iter("a") if not (a.get("href") or "#").startswith("#")]
        linked = sum(len(a.text_content().strip()) for a in links)
        if linked >= _CARD_LINK_SHARE * len(" ".join(text.split())):
            doomed.append(card)
    for card in doomed:
        if card.getparent() is not None:
            card.drop_tree()
    return len(doomed)


_INVISIBLE_STYLE_RE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.IGNORECASE)
_HIDDEN_CANDIDATES = XPath("descendant-or-self::*[@hidden or @style]")
_HAS_MICRODATA = XPath("boolean(descendant-or-self::*[@itemscope or @itemprop != ''])")


def prune_hidden(tree: HtmlElement) -> int:
    """Remove hidden blocks of microdata: inline ``display:none`` (or ``hidden``) with ``itemprop``.

    Pages keep machine-readable copies there (the publisher's name, logo URLs, keywords,
    the whole text again); trafilatura reads them as prose. Hidden blocks without
    microdata stay: a paywalled story's text is often in the page, hidden. Returns the
    number of blocks removed.
    """
    body = tree.find("body")
    if body is None:
        return 0
    doomed = []
    # only elements with a hidden or style attribute are candidates: one XPath finds them
    # without a Python proxy for every element of the page
    for element in _HIDDEN_CANDIDATES(body):
        if element.get("hidden") is None and not _INVISIBLE_STYLE_RE.search(element.get("style") or ""):
            continue
        if _HAS_MICRODATA(element):
            doomed.append(element)
    removed = 0
    for element in doomed:
        if element.getparent() is not None and not any(a in doomed for a in element.iterancestors()):
            element.drop_tree()
            removed += 1
    return removed


_CHUNK_MIN_CHARS = 200  # paragraph text a body chunk holds at least
_JOIN_ROUNDS = 3  # a body split at two levels (row, then inner container) needs two rounds
# state and modifier tokens ("-bottom-space", "is-open") differ between chunks of one body
_MODIFIER_RE = re.compile(r"^(?:-|is-|has-)")


def join_split_body(tree: HtmlElement) -> int:
    """Bring the chunks of an article body split across the layout back together.

    Some templates cut the body into several containers with the same class, each in
    its own grid row between ads and inline modules, or one after another with inline
    modules between them; trafilatura takes the first element whose class looks like an
    article body ("article__body", "post-content") and loses the rest. When the paragraph
    text of the page is mostly in such a group of containers, the later chunks (with what
    lies between them, when they are siblings) are moved into the first one, in order.
    Returns the number of chunks moved.
    """
    moved = 0
    for _ in range(_JOIN_ROUNDS):
        step = _join_once(tree)
        if not step:
            break
        moved += step
    return moved


def _chunk_key(element: HtmlElement) -> tuple[str, str]:
    tokens = [t for t in (element.get("class") or "").split() if not _MODIFIER_RE.match(t)]
    return element.tag, " ".join(tokens)


def _join_once(tree: HtmlElement) -> int:
    body = tree.find("body")
    if body is None:
        return 0
    chars: dict[HtmlElement, int] = {}
    counts: dict[HtmlElement, int] = {}
    total = 0
    # the ancestors with a class, per parent: paragraphs of one container share them
    chains: dict[HtmlElement, list[HtmlElement]] = {}
    for paragraph in body.iter("p"):
        size = len(paragraph.text_content())
        total += size
        parent = paragraph.getparent()
        chain = chains.get(parent)
        if chain is None:
            chain = chains[parent] = [a for a in paragraph.iterancestors() if a.get("class")]
        for ancestor in chain:
            chars[ancestor] = chars.get(ancestor, 0) + size
            counts[ancestor] = counts.get(ancestor, 0) + 1
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element, size in chars.items():
        # a chunk is several paragraphs of one story: not a one-paragraph card, not a
        # layout box holding the headline
        if (
            size >= _CHUNK_MIN_CHARS
            and counts[element] >= 2
            and element.tag in ("div", "section")
            and next(element.iter("h1"), None) is None
        ):
            groups.setdefault(_chunk_key(element), []).append(element)
    # the largest group of chunks that a body finder would take only the first of
    for chunks in sorted(groups.values(), key=lambda g: -sum(chars[c] for c in g)):
        if sum(chars[c] for c in chunks) * 2 < total:
            return 0
        if len(chunks) < 2 or any(_inside_any(c, chunks) for c in chunks):
            continue  # a lone container, or chunks joined in an earlier round
        if len({id(next(c.iterancestors("article"), None)) for c in chunks}) > 1:
            return 0  # chunks of different <article>s: stories appended below this one
        chunks.sort(key=lambda c: c.sourceline or 0)
        first = chunks[0]
        parent = first.getparent()
        if parent is not None and all(c.getparent() is parent for c in chunks):
            # siblings: only a body finder that takes the first one alone loses the others
            if _picked_by_body_finder(first):
                return _absorb_siblings(first, chunks[-1])
            continue
        return _absorb_chunks(chunks)
    return 0


def _picked_by_body_finder(element: HtmlElement) -> bool:
    parent = element.getparent()
    return parent is not None and any(element in expr(parent) for expr in _BODY_FINDERS)


def _absorb_siblings(first: HtmlElement, last: HtmlElement) -> int:
    """Move everything from *first*'s next sibling up to *last* into *first*, in order."""
    moved = 0
    while True:
        following = first.getnext()
        if following is None:
            return moved
        _append_with_tail(first, following)
        moved += 1
        if following is last:
            return moved


def _append_with_tail(container: HtmlElement, element: HtmlElement) -> None:
    # the loose text after the container belongs before the element, as in the page
    if container.tail and container.tail.strip():
        if len(container):
            container[-1].tail = (container[-1].tail or "") + container.tail
        else:
            container.text = (container.text or "") + container.tail
    container.tail = None
    container.append(element)


def _absorb_chunks(chunks: list[HtmlElement]) -> int:
    first = chunks[0]
    moved = 0
    for chunk in chunks[1:]:
        if chunk.tail and chunk.tail.strip():
            return moved  # loose text around the chunk: leave the layout alone
        chunk.tail = None
        first.append(chunk)
        moved += 1
    return moved


def _inside_any(element: HtmlElement, others: list[HtmlElement]) -> bool:
    return any(a in others for a in element.iterancestors())


_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _NOT_ALNUM_RE.sub("", text.casefold())


_LEDE_TAGS = ("p", "h2", "h3", "div", "span", "strong", "header", "section")
_BLOCK_CHILDREN = frozenset({"div", "p", "section", "article", "ul", "ol", "table", "header", "footer"})


def visible_lede(tree: HtmlElement, description: str | None, text: str) -> str | None:
    """The page's standfirst, when the description is shown on the page and missing from *text*.

    trafilatura often leaves out the summary paragraph printed between headline and body;
    the ``<meta>`` description usually carries the same words. It is only taken when an
    element of the page shows it, never from the ``<head>`` alone.
    """
    if not description or len(description.split()) < 8:
        return None
    wanted = _key(description)
    if wanted[: max(20, len(wanted) // 2)] in _key(text):
        return None
    body = tree.find("body")
    if body is None:
        return None
    low, high = len(description) * 0.8, len(description) * 1.3
    for element in body.iter(*_LEDE_TAGS):
        if element.tag in ("div", "section", "header") and any(
            child.tag in _BLOCK_CHILDREN for child in element
        ):
            continue
        shown = " ".join(element.text_content().split())
        if low <= len(shown) <= high and wanted in _key(shown):
            return shown
    return None


@dataclass
class Paragraph:
    """One block of the extracted text and how much of it is link text."""

    text: str
    kind: str  # "p", "head", "item", "quote", "row", "code"
    link_chars: int = 0

    @property
    def link_ratio(self) -> float:
        """Share of the characters that are inside links."""
        return self.link_chars / len(self.text) if self.text else 0.0


_BLOCK_KIND = {
    "p": "p",
    "head": "head",
    "item": "item",
    "quote": "quote",
    "row": "row",
    "code": "code",
    "list": "list",
    "table": "table",
    "div": "p",
    "note": "p",
    "figure": "p",
    "graphic": "p",
}
_LB = "\x00"
_SPACE_RE = re.compile(r"[^\S\x00]+")


class _Collector:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.kind = "p"

    def flush(self) -> None:
        raw = _SPACE_RE.sub(" ", "".join(self.parts))
        lines = [line.strip() for line in raw.split(_LB)]
        # two or more <br> in a row separate paragraphs; one is a line break inside one
        chunks = "\n".join(lines).split("\n\n")
        for chunk in chunks:
            text = "\n".join(line for line in chunk.split("\n") if line)
            if text:
                links = min(self.link_chars, len(text))
                self.paragraphs.append(Paragraph(text, self.kind, links))
        self.parts, self.link_chars = [], 0

    def walk(self, element: _Element, in_link: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        block = _BLOCK_KIND.get(tag)
        if block:
            self.flush()
            if block not in ("list", "table"):
                self.kind = block
        elif tag == "lb":
            self.parts.append(_LB)
        elif tag == "cell":
            self.parts.append(" ")
        in_link = in_link or tag == "ref"
        if element.text:
            self.parts.append(element.text)
            if in_link:
                self.link_chars += len(element.text.strip())
        for child in element:
            self.walk(child, in_link)
        if block:
            self.flush()
        if element.tail:
            self.parts.append(element.tail)
            if in_link and not tag == "ref":
                self.link_chars += len(element.tail.strip())


def body_paragraphs(body: _Element) -> list[Paragraph]:
    """Paragraphs of trafilatura's output tree, in order, with their link share."""
    collector = _Collector()
    collector.walk(body)
    collector.flush()
    return collector.paragraphs
