"""Choose between trafilatura's text and the JSON-LD ``articleBody`` the page ships."""

from __future__ import annotations

import html
import re
from typing import Any

from pipelines.bodytext import Paragraph

__all__ = ["choose_text", "jsonld_paragraphs"]

_TRUNCATED_RE = re.compile(r"(?:\.\.\.|…|\[\.\.\.\]|\(\.\.\.\))\s*$")
_TAG_RE = re.compile(r"<[^>]+>")


def jsonld_paragraphs(value: Any) -> list[str]:
    """Paragraphs of an ``articleBody`` string (some sites put HTML in it)."""
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return []
    if "<" in value and _TAG_RE.search(value):
        value = re.sub(r"(?i)</p>|<br\s*/?>", "\n", value)
        value = _TAG_RE.sub(" ", value)
    value = html.unescape(value)
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


def choose_text(
    paragraphs: list[Paragraph], article: dict[str, Any] | None, min_length: int
) -> tuple[str, int]:
    """Return the article text (paragraphs joined by one blank line) and its link characters.

    trafilatura's paragraphs win by default: they keep the page's paragraph structure.
    The JSON-LD ``articleBody`` is taken instead when trafilatura found too little and the
    body is complete (not cut off with an ellipsis).
    """
    text = "\n\n".join(p.text for p in paragraphs)
    link_chars = sum(p.link_chars for p in paragraphs)
    body = jsonld_paragraphs((article or {}).get("articleBody"))
    body_text = "\n\n".join(body)
    if (
        len(text) < min_length
        and len(body_text) >= min_length
        and not _TRUNCATED_RE.search(body_text)
    ):
        return body_text, 0
    return text, link_chars
