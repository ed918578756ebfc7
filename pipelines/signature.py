"""Find the signature line that closes an article's text: "Jane Doe", "ssi, dan; Foto: X"."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.byline import in_skipped_container, looks_like_name
from pipelines.fields import is_agency

__all__ = ["signature_byline"]

_SIGNATURE_CHARS = 80  # a signature line is a name or two, not a sentence
_PROSE_CHARS = 150  # the paragraph before it is running text
_SIGNATURE_PREFIX_RE = re.compile(r"^[\s\-–—(]*")
_SIGNATURE_BY_RE = re.compile(r"^(?:by|von|par|por|door|av|text|texto|tekst)\s*:?\s+", re.IGNORECASE)
_SIGNATURE_SPLIT_RE = re.compile(r"\s*(?:[,/&]|\s(?:and|und|et|y|og|och|en)\s)\s*")
# "Foto [M]: Shutterstock", "Erstveröffentlichung: 4.4.18": other credits on the signature line
_OTHER_CREDIT_RE = re.compile(r"^[^:]{1,30}:\s")
# blog templates put the whole post in a "widget": only these mark text that is no article
_NOT_ARTICLE_RE = re.compile(r"comment|sidebar|related|teaser|footer", re.IGNORECASE)
# a heading, a button or a link row after the text ("Related Articles", "Share This") is no signature
_NOT_SIGNATURE_RE = re.compile(r"share|related|more|tag|button|social|nav|menu|promo|newsletter", re.IGNORECASE)
_SIGNATURE_TAGS = frozenset({"p", "span", "div", "em", "strong", "b", "i", "small", "address", "a"})
# "ssi, dan": the lower-case initials (Kürzel) editors sign with
_INITIALS_RE = re.compile(r"^[a-zß-ÿ]{2,4}$")


def _signed_names(text: str) -> list[str]:
    """The names a signature line gives, [] when it is anything else."""
    names: list[str] = []
    for segment in text.split(";"):
        segment = _SIGNATURE_PREFIX_RE.sub("", segment).strip().rstrip(")")
        if _SIGNATURE_BY_RE.match(segment):
            segment = _SIGNATURE_BY_RE.sub("", segment)
        elif _OTHER_CREDIT_RE.match(segment):
            continue
        parts = [p for p in _SIGNATURE_SPLIT_RE.split(segment) if p]
        for part in parts:
            agency = is_agency(part)
            if not (looks_like_name(part) or agency or _INITIALS_RE.match(part)):
                return []
            names.append(part)
    if any(is_agency(n) for n in names):  # "dpa/lnw": the agency and its regional desk
        names = [n for n in names if is_agency(n) or not _INITIALS_RE.match(n)]
    if len(names) == 1 and _INITIALS_RE.match(names[0]) and not text.startswith("("):
        return []  # one lower-case word alone ("mehr", "top") is a link as often as initials
    return names if any(not is_agency(n) for n in names) else []


def signature_byline(tree: HtmlElement) -> list[str]:
    """The names on the signature line closing the article text.

    "<p>...the ferry will run all year.</p><p>Jane Doe</p>" is signed by Jane Doe, and
    "<span>ssi, dan; Foto: Example</span>" after it by two editors' initials. The line
    must follow the last of the prose paragraphs, so that a footer line is not one.
    """
    body = tree.find("body")
    if body is None:
        return []
    found: list[str] = []
    for para in body.iter("p"):
        if len(para.text_content()) < _PROSE_CHARS:
            continue
        line = para.getnext()
        if line is None or line.tag not in _SIGNATURE_TAGS or len(line) > 2:
            continue  # a signature is plain text, maybe in a <strong> or a link
        if _NOT_SIGNATURE_RE.search(f"{line.get('class', '')} {line.get('id', '')}"):
            continue
        if any(sibling.tag == "p" for sibling in line.itersiblings()):
            continue
        text = " ".join(line.text_content().split())
        if not 2 < len(text) <= _SIGNATURE_CHARS or text.endswith((".", "!", "?", ":")):
            continue
        if not in_skipped_container(line, _NOT_ARTICLE_RE):
            found = _signed_names(text) or found
    return found
