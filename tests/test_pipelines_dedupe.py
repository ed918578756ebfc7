"""pipelines/dedupe.py: is this article new, or a copy of one the collection already has?"""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.store import Store
from pipelines.dedupe import EXACT, NEAR, NEW, SAME_URL, Deduper, Verdict

BASE = 0xF0E1D2C3B4A59687


def hexhash(value: int) -> str:
    return "%016x" % value


@pytest.fixture
def deduper(tmp_path: Path):
    with Store(str(tmp_path / "store.sqlite")) as store:
        dedupe = Deduper(store)
        dedupe.remember("https://a.example/story", "sha256:story", hexhash(BASE), "run1", "t")
        yield dedupe


def test_a_new_article_is_new(deduper: Deduper) -> None:
    verdict = deduper.judge("https://b.example/other", "sha256:other", hexhash(BASE ^ (2**64 - 1)))
    assert verdict == Verdict(NEW)
    assert not verdict.is_duplicate


def test_the_same_url_is_a_duplicate_whatever_its_text(deduper: Deduper) -> None:
    verdict = deduper.judge("https://a.example/story", "sha256:changed", hexhash(BASE ^ 0xFFFF))
    assert verdict == Verdict(SAME_URL, "https://a.example/story")
    assert verdict.is_duplicate


def test_a_known_alias_is_the_same_url_as_its_article(deduper: Deduper) -> None:
    assert deduper.alias("https://a.example/story?amp", "https://a.example/story", "fetched", "r1")
    verdict = deduper.judge("https://a.example/story?amp", "sha256:x", hexhash(0))
    assert verdict == Verdict(SAME_URL, "https://a.example/story")


def test_the_same_text_under_another_url_is_an_exact_duplicate(deduper: Deduper) -> None:
    verdict = deduper.judge("https://mirror.example/copy", "sha256:story", hexhash(0))
    assert verdict == Verdict(EXACT, "https://a.example/story")


@pytest.mark.parametrize("flips, distance", [
    (1 << 5, 1),
    ((1 << 1) | (1 << 33), 2),
    ((1 << 0) | (1 << 20) | (1 << 63), 3),
])
def test_a_simhash_within_three_bits_is_a_near_duplicate(
    deduper: Deduper, flips: int, distance: int
) -> None:
    verdict = deduper.judge("https://mirror.example/copy", "sha256:other", hexhash(BASE ^ flips))
    assert verdict == Verdict(NEAR, "https://a.example/story", distance)


@pytest.mark.parametrize("flips", [
    0b1111,  # four bits in one band: found through the other bands, then measured
    (1 << 2) | (1 << 18) | (1 << 34) | (1 << 50),  # four bits, one per band: not even a candidate
    2**64 - 1,
])
def test_a_simhash_four_or_more_bits_away_is_new(deduper: Deduper, flips: int) -> None:
    verdict = deduper.judge("https://mirror.example/other", "sha256:other", hexhash(BASE ^ flips))
    assert verdict == Verdict(NEW)


def test_the_closest_near_duplicate_is_named(deduper: Deduper) -> None:
    deduper.remember("https://c.example/closer", "sha256:closer", hexhash(BASE ^ 0b11), "run1", "t")
    # three bits from the story, one from the closer copy
    verdict = deduper.judge("https://d.example/x", "sha256:x", hexhash(BASE ^ 0b111))
    assert verdict == Verdict(NEAR, "https://c.example/closer", 1)


def test_near_distance_zero_turns_near_matching_off(tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.sqlite")) as store:
        strict = Deduper(store, near_distance=0)
        strict.remember("https://a.example/story", "sha256:story", hexhash(BASE), "run1", "t")
        assert strict.judge("https://b.example/", "sha256:b", hexhash(BASE ^ 1)) == Verdict(NEW)
        assert strict.judge("https://b.example/", "sha256:story", hexhash(0)).kind == EXACT


def test_near_distance_one_is_respected(tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.sqlite")) as store:
        dedupe = Deduper(store, near_distance=1)
        dedupe.remember("https://a.example/story", "sha256:story", hexhash(BASE), "run1", "t")
        assert dedupe.judge("https://b.example/", "sha256:b", hexhash(BASE ^ 1)).kind == NEAR
        assert dedupe.judge("https://b.example/", "sha256:b", hexhash(BASE ^ 0b11)) == Verdict(NEW)


@pytest.mark.parametrize("distance", [-1, 4, 10])
def test_near_distances_the_index_cannot_serve_are_refused(tmp_path: Path, distance: int) -> None:
    with Store(str(tmp_path / "s.sqlite")) as store:
        with pytest.raises(ValueError, match="near_distance"):
            Deduper(store, near_distance=distance)


def test_what_is_remembered_is_known_to_the_next_run(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    with Store(path) as store:
        first = Deduper(store)
        first.remember("https://a.example/story", "sha256:story", hexhash(BASE), "run1", "t")
        first.alias("https://mirror.example/copy", "https://a.example/story", "exact", "run1")
    with Store(path) as store:
        second = Deduper(store)
        story = "https://a.example/story"
        assert second.judge(story, "sha256:story", hexhash(BASE)) == Verdict(SAME_URL, story)
        assert second.judge("https://mirror.example/copy", "sha256:x", hexhash(0)) == Verdict(
            SAME_URL, story)
        assert second.judge("https://new.example/", "sha256:story", hexhash(BASE)).kind == EXACT


def test_outcomes_pass_through_to_the_store(deduper: Deduper) -> None:
    deduper.record_outcome("https://a.example/copy", "run2", "duplicate", "exact", "https://a.example/story",
                           "2024-01-01T00:00:00Z", "a.warc.gz#5")
    assert deduper.store.outcomes_of("https://a.example/copy") == [{
        "url": "https://a.example/copy", "run": "run2", "kind": "duplicate", "detail": "exact",
        "duplicate_of": "https://a.example/story", "fetched_at": "2024-01-01T00:00:00Z", "warc": "a.warc.gz#5"}]
