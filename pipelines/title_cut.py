"""A title cut short (an og:title capped by length, or truncated at a quote that closed its
attribute) completed from another source that gives it whole."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

__all__ = ["whole_title"]

_ELLIPSES = ("...", "…")
_QUOTES = "\"'“”„«»‘’‚‹›"
_MIN_WORDS = 3  # a shorter "title" is a kicker or a label, not a headline that was cut


def _cut_point(short: str, whole: str) -> str | None:
    """What follows *short* in *whole* when *short* is *whole* cut at a word boundary."""
    if len(whole) <= len(short) or not whole.casefold().startswith(short.casefold()):
        return None
    rest = whole[len(short):]
    if short[-1].isalnum() and rest[0].isalnum():
        return None  # cut inside a word: some other text that happens to start alike
    rest = rest.strip()
    if not rest or not (rest[0].isalnum() or rest[0] in _QUOTES):
        return None  # " | Sport", " - Site": an affix, which the title is right to leave out
    return rest


def whole_title(title: str, others: Iterable[str]) -> str:
    """*title*, or the longer headline it was cut from.

    Another source must give the whole: two sources agreeing on it, or one when *title* shows
    the cut (an ellipsis, or a quote right after it in the whole, where an unescaped quote
    ended the attribute). "Minister says" with an ``<h1>`` reading 'Minister says "no deal"'
    is the ``<h1>``.
    """
    short = " ".join(title.split())
    marked = short.endswith(_ELLIPSES)
    stem = short.rstrip(".… ").rstrip() if marked else short
    if len(stem.split()) < _MIN_WORDS:
        return title
    wholes: Counter[str] = Counter()
    for other in others:
        whole = " ".join((other or "").split())
        rest = _cut_point(stem, whole)
        if rest:
            wholes[whole] += 1
            if marked or rest[0] in _QUOTES:
                wholes[whole] += 1
    if not wholes:
        return title
    whole, votes = wholes.most_common(1)[0]
    return whole if votes >= 2 else title
