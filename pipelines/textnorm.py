"""Text normalization and fingerprints used to detect duplicate articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["content_hash", "fingerprints", "hamming", "normalize_text", "simhash"]

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
    return _content_hash_of(normalize_text(text))


def _content_hash_of(normalized: str) -> str:
    return "sha256:" + hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def fingerprints(text: str) -> tuple[str, str]:
    """``(content_hash(text), simhash(text))``, normalizing *text* once instead of twice."""
    normalized = normalize_text(text)
    return _content_hash_of(normalized), _simhash_of(normalized)


# _BIT_OF[j] maps a byte to its bit j (0 = most significant) as a 0/1 byte, for bytes.translate
_BIT_OF = [bytes((value >> (7 - j)) & 1 for value in range(256)) for j in range(8)]


def _feature_hashes(features: list[str]) -> bytes:
    # blake2b is stable across processes and Python versions, unlike hash(); 8 bytes a feature,
    # big-endian, so that byte 0 holds the hash's 8 most significant bits
    blake2b = hashlib.blake2b
    return b"".join([blake2b(f.encode("utf-8"), digest_size=8).digest() for f in features])


def simhash(text: str) -> str:
    """Return the 64-bit SimHash of *text* as 16 lowercase hex digits.

    Features are word 3-shingles of the normalized text, each counted as often as it
    occurs; a text shorter than three words is one feature. Empty text gives all zeros.
    Bit i of the result is set when more than half of the features' 64-bit blake2b hashes
    set it.
    """
    return _simhash_of(normalize_text(text))


def _simhash_of(normalized: str) -> str:
    words = normalized.split()
    if not words:
        return "0" * 16
    if len(words) < _SHINGLE:
        features = [" ".join(words)]
    else:
        # shifted copies of the word list end at different lengths: zip stops at the shortest
        shifted = (words[i:] for i in range(_SHINGLE))
        features = [" ".join(shingle) for shingle in zip(*shifted, strict=False)]
    hashes = _feature_hashes(features)
    count = len(features)
    value = 0
    # one column of bytes at a time, one bit of it at a time, counted in C: ~3x faster than
    # a per-feature loop over bits, with the same result (tests pin it)
    for byte in range(_BITS // 8):
        column = hashes[byte::8]
        for bit, table in enumerate(_BIT_OF):
            if 2 * column.translate(table).count(1) > count:
                value |= 1 << (_BITS - 1 - 8 * byte - bit)
    return format(value, "016x")


def hamming(a: str, b: str) -> int:
    """Return the number of differing bits between two hex SimHash strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
