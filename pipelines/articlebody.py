"""Use the JSON-LD ``articleBody`` a page ships to check and complete trafilatura's text."""

from __future__ import annotations

import html
import re
from typing import Any

from pipelines.bodytext import Paragraph

__all__ = ["choose_text", "jsonld_paragraphs"]

_TRUNCATED_RE = re.compile(r"(?:\.\.\.|…|\[\.\.\.\]|\(\.\.\.\)|&hellip;)\s*$")
_TAG_RE = re.compile(r"<[^>]+>")
_WORD_RE = re.compile(r"\w+")
_MIN_BODY = 500  # shorter articleBody values are teasers, not the article
_AGREEMENT = 0.8  # share of our text found in articleBody before it may veto paragraphs
_KEEP = 0.3  # a paragraph with less of itself in articleBody is page furniture


def jsonld_paragraphs(value: Any) -> list[str]:
    """Paragraphs of an ``articleBody`` string (some sites put HTML in it)."""
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return []
    if "<" in value and _TAG_RE.search(value):
        value = re.sub(r"(?i)</p>|<br\s*/?>", "\n", value)
        value = _TAG_RE.sub(" ", value)
    value = html.unescape(html.unescape(value))  # some sites escape twice
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


def _shingles(text: str) -> list[tuple[str, ...]]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) < 4:
        return [tuple(words)] if words else []
    return [tuple(words[i : i + 4]) for i in range(len(words) - 3)]


def _share_in(shingles: list[tuple[str, ...]], reference: set[tuple[str, ...]]) -> float:
    if not shingles:
        return 1.0
    return sum(1 for s in shingles if s in reference) / len(shingles)


def choose_text(
    paragraphs: list[Paragraph], article: dict[str, Any] | None, min_length: int
) -> tuple[str, int]:
    """Return the article text (paragraphs joined by one blank line) and its link characters.

    trafilatura's paragraphs win: they keep the page's paragraph structure, headings and
    lede. A complete ``articleBody`` (not cut off with an ellipsis) that agrees with most
    of that text vetoes the body paragraphs it does not contain (widgets, captions, ads
    trafilatura let through); headings and the lede stay, since ``articleBody`` seldom
    carries them. When trafilatura found too little, ``articleBody`` is the text.
    """
    body = jsonld_paragraphs((article or {}).get("articleBody"))
    body_text = "\n\n".join(body)
    complete = len(body_text) >= max(min_length, _MIN_BODY) and not _TRUNCATED_RE.search(body_text)
    if complete and paragraphs:
        reference = set(_shingles(body_text))
        ours = [_shingles(p.text) for p in paragraphs]
        flat = [s for group in ours for s in group]
        if _share_in(flat, reference) >= _AGREEMENT:
            paragraphs = [
                p
                for i, (p, shingles) in enumerate(zip(paragraphs, ours, strict=True))
                if i == 0 or p.kind == "head" or _share_in(shingles, reference) >= _KEEP
            ]
    text = "\n\n".join(p.text for p in paragraphs)
    if len(text) < min_length and complete:
        return body_text, 0
    return text, sum(p.link_chars for p in paragraphs)
