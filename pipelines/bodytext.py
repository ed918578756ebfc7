"""Prepare the page tree for trafilatura and turn its output tree into clean paragraphs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml.etree import _Element
from lxml.html import HtmlElement

__all__ = [
    "Paragraph",
    "body_paragraphs",
    "drop_link_lists",
    "drop_title",
    "is_boilerplate",
    "protect_inline_names",
    "prune_appended_articles",
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
    for element in list(tree.iter(*_INLINE_TAGS)):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if not marks.strip() or not _DISCARD_WORDS_RE.search(marks) or _HIDDEN_RE.search(marks):
            continue
        block = _text_block(element)
        if block is None:
            continue
        block_marks = f"{block.get('class', '')} {block.get('id', '')}"
        if _DISCARD_WORDS_RE.search(block_marks):
            continue
        own = element.text_content()
        whole = block.text_content()
        rest = whole.replace(own, " ", 1)
        if len(own.split()) > 8 or len(rest.split()) < 5 or _BYLINE_START_RE.match(whole):
            continue
        for attribute in ("class", "id"):
            element.attrib.pop(attribute, None)
        changed += 1
    return changed


def prune_appended_articles(tree: HtmlElement, title: str | None) -> int:
    """Remove the further stories an infinite-scroll page appends below the one asked for.

    Only when the page holds several separate ``<article>`` elements with their own
    ``<h1>``: the one whose headline matches *title* (else the first) stays.
    Returns the number of articles removed.
    """
    articles = [a for a in tree.iter("article") if next(a.iter("h1"), None) is not None]
    if len(articles) < 2:
        return 0
    wanted = _key(title or "")

    def headline(article: HtmlElement) -> str:
        return _key(next(article.iter("h1")).text_content())

    main = next((a for a in articles if wanted and headline(a) == wanted), articles[0])
    removed = 0
    for article in articles:
        related = article is main or any(a is main for a in article.iterancestors())
        if related or any(a is article for a in main.iterancestors()):
            continue
        if article.getparent() is not None:
            article.drop_tree()
            removed += 1
    return removed


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


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


_BOILERPLATE_RE = re.compile(
    r"""^[\W_]*(?:
        advert[i]?s[e]?ments?|anzeigen?|werbung|publicit[ée]|publicidad|pubblicit[àa]|reklame|
        sponsored(?:\s+content)?|paid\s+content|
        most\s+(?:popular|read|viewed|shared)|trending(?:\s+now)?|recent\s+(?:comments|posts)|
        related(?:\s+(?:articles?|stories|posts|news|content|coverage|topics))?|
        you\s+(?:may|might)\s+(?:also\s+)?like|recommended(?:\s+for\s+you)?|more\s+from\b.*|
        leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|comments?|\d+\s+comments?|
        please\s+enter\s+your\s+(?:comment|name|email).*|
        save\s+my\s+name,\s+email.*|you\s+have\s+entered\s+an\s+incorrect\s+email.*|
        share(?:\s+(?:this|on|via)\b.*)?|tweet|facebook|twitter|whatsapp|linkedin|email|print|
        (?:read|see|view|show)\s+(?:more|also|next)\b.{0,120}|also\s+read\b.{0,120}|
        click\s+here\b.{0,80}|sign\s+up\b.{0,80}|subscribe\b.{0,80}|
        home|skip\s+to\s+(?:main\s+)?content|back\s+to\s+top|follow\s+us\b.{0,60}
    )[\W_]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# picture credits: "STR/AFP via Getty Images", "Foto: NTB", "(Image: Getty Images)"
_CREDIT_RE = re.compile(
    r"^\W*(?:foto|fotos|photo|photos|bild|bilder|image|images|credit|picture|kuva|zdjęcie)\s*:"
    r"|getty\s*images|shutterstock|istock|imago|picture[\s-]alliance|\bap photo\b|\bdpa\b.*\bfoto\b",
    re.IGNORECASE,
)
# placeholders for blocked embeds and consent notices
_CONSENT_RE = re.compile(
    r"privacy|privatsphäre|datenschutz|cookie|consent|einwillig|zustimm|external content|"
    r"externe[rn]? inhalt|third[- ]party|drittanbieter|javascript|enable|aktivier|settings|"
    r"einstellungen|nicht verfügbar|not available|unavailable|paramètres|confidentialité",
    re.IGNORECASE,
)
_BREADCRUMB_RE = re.compile(r"^(?:home|startseite|accueil|inicio)\s*[›»>/|]", re.IGNORECASE)


def is_boilerplate(paragraph: Paragraph) -> bool:
    """True for a paragraph that is page furniture: ads, widgets, share bars, comment forms."""
    text = paragraph.text
    if len(text) <= 160 and _BOILERPLATE_RE.match(text):
        return True
    if len(text) <= 200 and _BREADCRUMB_RE.match(text):
        return True
    words = len(text.split())
    if words <= 12 and _CREDIT_RE.search(text) and not _SENTENCE_END_RE.search(text):
        return True
    if words <= 60 and len({m.casefold() for m in _CONSENT_RE.findall(text)}) >= 2:
        return True
    return False


def drop_title(paragraphs: list[Paragraph], title: str | None, same: Callable[[str, str], bool]) -> list[Paragraph]:
    """Remove the headline repeated at the top of the text, with a section label before it."""
    if not title:
        return paragraphs
    for i, paragraph in enumerate(paragraphs[:4]):
        if same(paragraph.text, title):
            if all(len(p.text.split()) <= 4 for p in paragraphs[:i]):
                return paragraphs[i + 1 :]
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs


_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”»)]*$")
_NUMBERED_RE = re.compile(r"^\s*(?:#\s*)?\d{1,3}\s*[.):]\s")


def _is_prose(paragraph: Paragraph) -> bool:
    if paragraph.kind not in ("p", "quote") or paragraph.link_ratio >= 0.5:
        return False
    words = len(paragraph.text.split())
    return words >= 15 or (words >= 6 and bool(_SENTENCE_END_RE.search(paragraph.text)))


def _numbered(run: list[Paragraph]) -> bool:
    # "1) Lego set ... link", "2) ...": a listicle of links is the article itself
    return sum(1 for p in run if _NUMBERED_RE.match(p.text)) * 2 >= len(run)


def _is_linky(paragraph: Paragraph) -> bool:
    return paragraph.link_ratio >= 0.5 and len(paragraph.text.split()) <= 20


def drop_link_lists(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Remove runs of short link paragraphs (related stories, tag lists) and link-heavy tails.

    A run is three or more short paragraphs that are mostly link text, with the short
    heading in front of it. After the last paragraph of prose, a tail of short paragraphs
    in which links are common is what follows every article: teasers, newsletters, tags.
    """
    keep = [True] * len(paragraphs)
    i = 0
    while i < len(paragraphs):
        j = i
        while j < len(paragraphs) and _is_linky(paragraphs[j]):
            j += 1
        if j - i >= 3 and not _numbered(paragraphs[i:j]):
            start = i - 1 if i > 0 and paragraphs[i - 1].kind == "head" and len(paragraphs[i - 1].text.split()) <= 6 else i
            for k in range(start, j):
                keep[k] = False
        i = max(j, i + 1)
    kept = [p for p, k in zip(paragraphs, keep) if k]
    last = max((i for i, p in enumerate(kept) if _is_prose(p)), default=None)
    if last is not None:
        tail = kept[last + 1 :]
        linky = sum(1 for p in tail if _is_linky(p))
        short = all(len(p.text.split()) <= 25 for p in tail)
        if len(tail) >= 3 and short and linky >= max(2, len(tail) // 4) and not _numbered(tail):
            kept = kept[: last + 1]
    return kept
