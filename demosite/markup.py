"""Inline markup of article paragraphs: ``[[tag.class:href|Name]]`` inside plain text.

Both the served HTML (``<a href=…>Name</a>``, ``<span class=…>``, ``<strong>``, ``<em>``) and the
plain-text ground truth are rendered from the same string, so the two cannot disagree.
"""
from __future__ import annotations

import html
import re
import unicodedata

MARKUP = re.compile(r"\[\[(a|span|strong|em)(?:\.([\w-]+))?(?::([^|\]]+))?\|([^\]]+)\]\]")


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated form of ``text`` for URL paths."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def markup_to_html(markup: str) -> str:
    """Render inline markup as HTML, escaping the text around the elements."""
    out: list[str] = []
    pos = 0
    for m in MARKUP.finditer(markup):
        out.append(html.escape(markup[pos:m.start()], quote=False))
        tag, cls, href, name = m.groups()
        attrs = (f' href="{html.escape(href)}"' if href else "") + (
            f' class="{cls}"' if cls else "")
        out.append(f"<{tag}{attrs}>{html.escape(name, quote=False)}</{tag}>")
        pos = m.end()
    out.append(html.escape(markup[pos:], quote=False))
    return "".join(out)


def markup_to_text(markup: str) -> str:
    """Render inline markup as plain text: elements become their text, in place."""
    return MARKUP.sub(lambda m: m.group(4), markup)
