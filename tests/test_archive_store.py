"""archive/store.py: what a collection remembers between runs (articles, hashes, aliases, runs)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.exceptions import StoreError
from archive.outcome import Outcome
from archive.store import KnownArticle, KnownPayload, Store

BASE = 0x0123456789ABCDEF


def hexhash(value: int) -> str:
    return "%016x" % value


@pytest.fixture
def store(tmp_path: Path):
    with Store(str(tmp_path / "store.sqlite")) as opened:
        yield opened


def test_articles_are_found_by_url_and_by_content_hash(store: Store) -> None:
    store.add_article("https://a.example/1", "sha256:aa", hexhash(BASE), "run1", "2024-01-01")
    store.add_article("https://a.example/2", "sha256:bb", hexhash(~BASE & (2**64 - 1)), "run1", "")

    assert store.article("https://a.example/1") == KnownArticle(
        "https://a.example/1", "sha256:aa", hexhash(BASE), "run1")
    assert store.article("https://a.example/3") is None
    assert store.article_by_hash("sha256:bb") == KnownArticle(
        "https://a.example/2", "sha256:bb", hexhash(~BASE & (2**64 - 1)), "run1")
    assert store.article_by_hash("sha256:cc") is None
    assert store.article_count() == 2


def test_adding_an_article_again_replaces_it_without_a_second_row(store: Store) -> None:
    store.add_article("https://a.example/1", "sha256:old", hexhash(BASE), "run1", "")
    store.add_article("https://a.example/1", "sha256:new", hexhash(BASE), "run2", "")
    assert store.article_count() == 1
    assert store.article("https://a.example/1") == KnownArticle(
        "https://a.example/1", "sha256:new", hexhash(BASE), "run2")
    assert store.article_by_hash("sha256:old") is None


@pytest.mark.parametrize("flips", [
    0,
    1 << 63,  # one bit, top band
    (1 << 0) | (1 << 17) | (1 << 40),  # three bits, three different bands
    0b111 << 30,  # three bits straddling two bands
], ids=["same", "one-bit", "three-bands", "straddling"])
def test_near_candidates_find_every_simhash_within_distance_three(store: Store, flips: int) -> None:
    store.add_article("https://a.example/known", "sha256:k", hexhash(BASE), "run1", "")
    candidates = store.near_candidates(hexhash(BASE ^ flips))
    assert [c.url for c in candidates] == ["https://a.example/known"]


def test_near_candidates_leave_out_a_simhash_that_differs_in_every_band(store: Store) -> None:
    store.add_article("https://a.example/known", "sha256:k", hexhash(BASE), "run1", "")
    far = BASE ^ ((1 << 3) | (1 << 20) | (1 << 37) | (1 << 60))  # distance 4, one bit per band
    assert store.near_candidates(hexhash(far)) == []
    assert store.near_candidates(hexhash(BASE ^ (2**64 - 1))) == []


def test_near_candidates_list_each_article_once(store: Store) -> None:
    store.add_article("https://a.example/1", "sha256:1", hexhash(BASE), "run1", "")
    store.add_article("https://a.example/2", "sha256:2", hexhash(BASE ^ 1), "run1", "")
    found = store.near_candidates(hexhash(BASE))  # shares all four bands with the first
    assert sorted(c.url for c in found) == ["https://a.example/1", "https://a.example/2"]


def test_aliases(store: Store) -> None:
    store.add_article("https://a.example/story", "sha256:s", hexhash(BASE), "run1", "")

    story = "https://a.example/story"
    assert store.add_alias("https://b.example/copy", story, "duplicate:exact", "run1")
    assert store.add_alias("https://a.example/story?amp=1", story, "fetched", "run1")
    # known already, even for another target: the first word stands
    assert not store.add_alias("https://b.example/copy", "https://a.example/other", "near", "r2")
    assert not store.add_alias(story, story, "fetched", "run1")

    assert store.alias_target("https://b.example/copy") == "https://a.example/story"
    assert store.alias_target("https://a.example/story") is None
    assert store.alias_target("https://nowhere.example/") is None
    assert store.aliases_of("https://a.example/story") == [
        "https://a.example/story?amp=1", "https://b.example/copy"]
    assert store.aliases_of("https://a.example/other") == []


def test_is_known_article_url_covers_articles_and_aliases(store: Store) -> None:
    store.add_article("https://a.example/story", "sha256:s", hexhash(BASE), "run1", "")
    store.add_alias("https://b.example/copy", "https://a.example/story", "duplicate:exact", "run1")
    assert store.is_known_article_url("https://a.example/story")
    assert store.is_known_article_url("https://b.example/copy")
    assert not store.is_known_article_url("https://a.example/")


def test_payloads_by_digest(store: Store) -> None:
    first = KnownPayload("sha1:AAAA", "https://a.example/logo.png", "2024-01-01T00:00:00Z",
                         "<urn:uuid:1>", "x-00001.warc.gz", 1234)
    store.add_payload(first)
    # a later capture of the same bytes does not move what revisits refer to
    store.add_payload(KnownPayload("sha1:AAAA", "https://a.example/logo2.png",
                                   "2024-02-01T00:00:00Z", "<urn:uuid:2>", "x-00002.warc.gz", 99))
    assert store.payload("sha1:AAAA") == first
    assert store.payload("sha1:BBBB") is None


def test_runs_history_in_start_order(store: Store) -> None:
    store.start_run("r2", "replay", "2024-01-02T00:00:00+00:00")
    store.start_run("r1", "crawl", "2024-01-01T00:00:00+00:00")
    stats = {"articles": 3, "errors": {"x": 1}}
    store.end_run("r1", "2024-01-01T01:00:00+00:00", "finished", stats)

    assert store.runs() == [
        {"run_id": "r1", "kind": "crawl", "started": "2024-01-01T00:00:00+00:00",
         "ended": "2024-01-01T01:00:00+00:00", "outcome": "finished",
         "stats": {"articles": 3, "errors": {"x": 1}}},
        {"run_id": "r2", "kind": "replay", "started": "2024-01-02T00:00:00+00:00",
         "ended": None, "outcome": "running", "stats": {}},
    ]


def test_runs_that_never_ended_are_marked_interrupted_except_the_current_job_run(store: Store) -> None:
    store.start_run("r1", "crawl", "2024-01-01T00:00:00+00:00")  # killed: never ended
    store.start_run("r2", "crawl", "2024-01-02T00:00:00+00:00")
    store.end_run("r2", "2024-01-02T01:00:00+00:00", Outcome.FINISHED, {})
    store.start_job_run("j1", "news", "2024-01-03T00:00:00+00:00", "2024-01-03T00:00:00+00:00", 10)  # its crawl died
    store.start_job_run("j2", "news", "2024-01-04T00:00:00+00:00", "2024-01-04T00:00:00+00:00", 11)  # starting now

    assert store.interrupt_unfinished(except_run="j2") == ["j1", "r1"]
    assert [(r["run_id"], r["outcome"], r["ended"]) for r in store.runs()] == [
        ("r1", "interrupted", None), ("r2", "finished", "2024-01-02T01:00:00+00:00")]
    assert [(r["run_id"], r["outcome"]) for r in store.job_runs()] == [("j1", "interrupted"), ("j2", "running")]
    assert store.interrupt_unfinished() == ["j2"]
    assert store.interrupt_unfinished() == []


def test_outcomes_of_older_stores_read_in_the_one_vocabulary(store: Store) -> None:
    old = (("a", "ok"), ("b", "shutdown"), ("c", "closespider_pagecount"), ("d", "refused"))
    for run_id, _ in old:
        store.start_job_run(run_id, "news", run_id, run_id, 1)
    with sqlite3.connect(store.path) as db:  # as older versions wrote them
        db.executemany("UPDATE job_runs SET outcome = ? WHERE run_id = ?", [(o, r) for r, o in old])
    assert [r["outcome"] for r in store.job_runs()] == [
        Outcome.FINISHED, Outcome.INTERRUPTED, Outcome.FINISHED, Outcome.REFUSED]


def test_everything_persists_across_store_instances(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite")
    with Store(path) as first:
        first.add_article("https://a.example/1", "sha256:aa", hexhash(BASE), "run1", "t")
        first.add_alias("https://b.example/1", "https://a.example/1", "duplicate:exact", "run1")
        first.add_payload(KnownPayload("sha1:P", "https://a.example/1", "t", "<urn:1>", "f", 0))
        first.start_run("run1", "crawl", "t0")

    with Store(path) as second:
        known = KnownArticle("https://a.example/1", "sha256:aa", hexhash(BASE), "run1")
        assert second.article_by_hash("sha256:aa") == known
        assert second.near_candidates(hexhash(BASE ^ 0b101)) == [known]
        assert second.alias_target("https://b.example/1") == "https://a.example/1"
        assert second.payload("sha1:P") is not None
        assert [r["run_id"] for r in second.runs()] == ["run1"]


@pytest.mark.parametrize("content", [
    b"this is not an sqlite database, it is a text file" * 100,
    b"SQLite format 3\x00" + b"\xff" * 4000,
], ids=["text", "damaged-header"])
def test_corrupt_store_file_raises_store_error_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store(str(path))
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content  # the evidence is left as it was


def test_store_in_a_missing_directory_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "store.sqlite"
    with pytest.raises(StoreError, match="store.sqlite"):
        Store(str(path))


# -- per-page outcomes -----------------------------------------------------------------------
def test_outcomes_are_kept_per_run_and_per_url_in_the_order_recorded(store: Store) -> None:
    store.record_outcome("https://a.example/1", "run1", "written", "new", fetched_at="2024-01-01T00:00:00Z",
                         warc="a.warc.gz#0")
    store.record_outcome("https://a.example/list", "run1", "not_article", "listing")
    store.record_outcome("https://a.example/1?copy", "run1", "duplicate", "exact",
                         duplicate_of="https://a.example/1")
    store.record_outcome("https://a.example/1", "run2", "duplicate", "url", duplicate_of="https://a.example/1")

    assert list(store.run_outcomes("run1")) == [
        ("https://a.example/1", "written", "new", None),
        ("https://a.example/list", "not_article", "listing", None),
        ("https://a.example/1?copy", "duplicate", "exact", "https://a.example/1"),
    ]
    assert list(store.run_outcomes("run3")) == []
    assert [(o["run"], o["kind"], o["warc"], o["fetched_at"]) for o in store.outcomes_of("https://a.example/1")] \
        == [("run1", "written", "a.warc.gz#0", "2024-01-01T00:00:00Z"), ("run2", "duplicate", None, None)]
    assert store.outcomes_of("https://a.example/never") == []


def test_outcomes_wait_for_the_next_transaction_and_persist_when_the_store_closes(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite")
    with Store(path) as store:
        store.record_outcome("https://a.example/1", "run1", "skipped", "status-404")
        with sqlite3.connect(path) as other:  # not written yet: one commit per page would cost a crawl
            assert other.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 0
        store.add_article("https://a.example/2", "sha256:aa", hexhash(BASE), "run1", "")
        with sqlite3.connect(path) as other:  # written in the article's transaction
            assert other.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 1
        store.record_outcome("https://a.example/2", "run1", "written", "new")
    with Store(path) as store:
        assert [row[0] for row in store.run_outcomes("run1")] == ["https://a.example/1", "https://a.example/2"]


def test_many_outcomes_are_written_in_batches_without_a_transaction(tmp_path: Path) -> None:
    from archive.store import OUTCOME_BATCH

    path = str(tmp_path / "store.sqlite")
    with Store(path) as store:
        for n in range(OUTCOME_BATCH):
            store.record_outcome("https://a.example/%d" % n, "run1", "not_article", "listing")
        with sqlite3.connect(path) as other:
            assert other.execute("SELECT count(*) FROM outcomes").fetchone()[0] == OUTCOME_BATCH


def test_ending_a_run_writes_its_outcomes(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite")
    with Store(path) as store:
        store.start_run("run1", "crawl", "2024-01-01T00:00:00Z")
        store.record_outcome("https://a.example/1", "run1", "error", "timeout")
        store.end_run("run1", "2024-01-01T00:01:00Z", "ok", {})
        with sqlite3.connect(path) as other:
            assert other.execute("SELECT kind, detail FROM outcomes").fetchall() == [("error", "timeout")]


def test_a_store_of_schema_version_one_gains_an_empty_outcomes_table(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite")
    with sqlite3.connect(path) as old:  # as version 1 made it: no outcomes table
        old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    with Store(path) as store:
        assert store.outcomes_of("https://a.example/1") == []
        store.record_outcome("https://a.example/1", "run1", "written", "new")
        assert len(store.outcomes_of("https://a.example/1")) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"outcomes_by_url", "outcomes_by_run"} <= indexes


def test_alias_entries_name_both_directions_with_reason_and_run(store: Store) -> None:
    store.add_alias("https://a.example/amp/1", "https://a.example/1", "fetched", "run1")
    store.add_alias("https://a.example/1", "https://b.example/1", "duplicate:exact", "run2")
    store.add_alias("https://c.example/x", "https://c.example/y", "fetched", "run1")
    assert store.alias_entries("https://a.example/1") == [
        {"alias": "https://a.example/1", "url": "https://b.example/1", "reason": "duplicate:exact", "run": "run2"},
        {"alias": "https://a.example/amp/1", "url": "https://a.example/1", "reason": "fetched", "run": "run1"},
    ]
    assert store.alias_entries("https://a.example/none") == []
