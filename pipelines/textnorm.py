"""Text normalization and fingerprints used to detect duplicate articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["content_hash", "hamming", "normalize_text", "simhash"]

# Everything that is neither a word character nor whitespace: quotes, dashes, bullets,
# punctuation. Two copies of a story that differ only in typography must hash alike.
_PUNCT_RE = re.compile(r"[^\w\s]+")
_SHINGLE = 3
_BITS = 64


def normalize_text(text: str) -> str:
    """Return *text* in the canonical form that hashes are computed on.

    NFKC, case-folded, punctuation removed and whitespace collapsed to single spaces.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _PUNCT_RE.sub(" ", text)
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """Return ``"sha256:<hex>"`` of the normalized *text* (exact-duplicate key)."""
    digest = hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def _feature_hash(feature: str) -> int:
    # blake2b is stable across processes and Python versions, unlike hash()
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str) -> str:
    """Return the 64-bit SimHash of *text* as 16 lowercase hex digits.

    Features are word 3-shingles of the normalized text, each counted as often as it
    occurs; a text shorter than three words is one feature. Empty text gives all zeros.
    """
    words = normalize_text(text).split()
    if not words:
        return "0" * 16
    if len(words) < _SHINGLE:
        features = [" ".join(words)]
    else:
        features = [" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)]
    rows = [format(_feature_hash(f), "064b") for f in features]
    half = len(rows) / 2
    # zip(*rows) walks the bit columns in C; a bit is set when most features set it
    bits = "".join("1" if column.count("1") > half else "0" for column in zip(*rows, strict=True))
    return format(int(bits, 2), "016x")


def hamming(a: str, b: str) -> int:
    """Return the number of differing bits between two hex SimHash strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
