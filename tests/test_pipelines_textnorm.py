"""Hash keys for duplicate detection: stable, insensitive to typography, sensitive to content."""

from __future__ import annotations

import hashlib
import random
import re

import pytest

from pipelines.textnorm import content_hash, fingerprints, hamming, normalize_text, simhash

STORY = (
    "The harbour council voted on Tuesday evening to fund a year-round ferry link between the "
    "old port and the three outer islands, ending a decade of seasonal-only crossings for the "
    "roughly four thousand residents who live there. Two refitted vessels will run four return "
    "trips a day from October, with a reduced timetable during storms."
)


def test_normalize_text() -> None:
    expected = "full width text quoted strasse"
    assert normalize_text("  Ｆｕｌｌ-width\tTEXT —  “quoted”!\n\nStraße ") == expected
    assert normalize_text("") == ""


def test_content_hash_ignores_typography_and_whitespace() -> None:
    a = content_hash("Hello, world!\n\nSecond paragraph.")
    b = content_hash("hello world   second  paragraph")
    assert a == b
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", a)
    assert content_hash("Hello, world! Third paragraph.") != a


def test_simhash_format_and_stability() -> None:
    value = simhash(STORY)
    assert re.fullmatch(r"[0-9a-f]{16}", value)
    assert simhash(STORY) == value
    # pinned: stored hashes must stay comparable across processes and releases
    assert value == "5ea29d4afc4fc5cc"
    assert simhash("one two three four") == simhash("One, two; three... four")
    assert simhash("") == "0" * 16
    assert re.fullmatch(r"[0-9a-f]{16}", simhash("two words"))


def test_near_duplicates_are_close_and_different_stories_far() -> None:
    syndicated = "Breaking: " + STORY.replace("Tuesday", "Tuesday night") + " Read more at our site."
    other = (
        "Apple growers in the valley finished picking two weeks earlier than usual this year after "
        "a long dry summer left the fruit small but sweet, and prices at the cooperative rose."
    )
    assert hamming(simhash(STORY), simhash(syndicated)) <= 12
    assert hamming(simhash(STORY), simhash(other)) > 16


def test_hamming() -> None:
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("0000000000000000", "ffffffffffffffff") == 64
    assert hamming("000000000000000f", "0000000000000001") == 3


def _reference_simhash(text: str) -> str:
    """The SimHash definition spelled out bit by bit: what stored hashes were computed with."""
    words = normalize_text(text).split()
    if not words:
        return "0" * 16
    shingles = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)] or [" ".join(words)]
    counts = [0] * 64
    for shingle in shingles:
        digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        for bit in range(64):
            counts[bit] += (value >> (63 - bit)) & 1
    bits = "".join("1" if c > len(shingles) / 2 else "0" for c in counts)
    return format(int(bits, 2), "016x")


_RNG = random.Random(20261128)
_WORDS = ["ferry", "harbour", "Straße", "ΔΕΛΤΑ", "日本", "a", "the", "x-ray", "42", "café"]


@pytest.mark.parametrize(
    "text",
    [STORY, STORY * 7, "", "word", "two words", "three words here", "a a a a a a", "ab, cd; ef... gh"]
    + [" ".join(_RNG.choice(_WORDS) for _ in range(_RNG.randint(0, 400))) for _ in range(40)],
)
def test_simhash_matches_the_bit_by_bit_definition(text: str) -> None:
    # an even number of features splits some bits exactly in half: those stay 0
    assert simhash(text) == _reference_simhash(text)


@pytest.mark.parametrize("text", ["", "One", "Two words", "Ünïcode — “quoted” text,\n\nover two paragraphs."])
def test_fingerprints_are_the_content_hash_and_simhash(text: str) -> None:
    assert fingerprints(text) == (content_hash(text), simhash(text))
