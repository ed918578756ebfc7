"""archive/collection.py: a collection's layout on disk, its item files and run reports."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.collection import Collection, ItemWriter, iter_items, new_run_id
from archive.exceptions import CollectionError


@pytest.mark.parametrize("name", [
    "", ".", "..", "../escape", "a/b", "a\\b", "-dash-first", ".hidden", "sp ace", "x" * 101,
    "naïve", "new\nline",
])
def test_invalid_names_are_rejected_with_a_message(tmp_path: Path, name: str) -> None:
    with pytest.raises(CollectionError) as caught:
        Collection.create(str(tmp_path), name)
    assert repr(name) in str(caught.value)
    assert "letters, digits" in str(caught.value)
    assert os.listdir(tmp_path) == []  # nothing created outside or inside the root


@pytest.mark.parametrize(
    "name", ["news", "News_2024", "a", "site.example-com", "9lives", "x" * 100])
def test_valid_names_are_accepted(tmp_path: Path, name: str) -> None:
    assert Collection.create(str(tmp_path), name).path == os.path.join(str(tmp_path), name)


def test_create_lays_out_pywb_directories(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path / "collections"), "news")
    assert sorted(os.listdir(tmp_path / "collections" / "news")) == [
        "archive", "indexes", "items", "runs", "state"]
    assert coll.archive_dir == str(tmp_path / "collections" / "news" / "archive")
    assert coll.store_path == str(tmp_path / "collections" / "news" / "state" / "store.sqlite")
    # creating it again keeps what is there
    (tmp_path / "collections" / "news" / "items" / "r1.jsonl").write_text("{}\n")
    Collection.create(str(tmp_path / "collections"), "news")
    assert (tmp_path / "collections" / "news" / "items" / "r1.jsonl").read_text() == "{}\n"


def test_create_where_a_file_is_in_the_way_raises_collection_error(tmp_path: Path) -> None:
    (tmp_path / "news").write_text("a file, not a directory")
    with pytest.raises(CollectionError, match="cannot create collection"):
        Collection.create(str(tmp_path), "news")


def test_open_of_a_missing_collection_names_it(tmp_path: Path) -> None:
    with pytest.raises(CollectionError) as caught:
        Collection.open(str(tmp_path), "nosuch")
    assert "'nosuch'" in str(caught.value) and str(tmp_path) in str(caught.value)
    Collection.create(str(tmp_path), "there")
    assert Collection.open(str(tmp_path), "there").name == "there"


def test_store_lives_in_state_and_keeps_data(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path), "news")
    with coll.store() as store:
        store.start_run("r1", "crawl", "t0")
    assert os.path.exists(coll.store_path)
    with Collection.open(str(tmp_path), "news").store() as store:
        assert [r["run_id"] for r in store.runs()] == ["r1"]


def test_item_files_oldest_run_first(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path), "news")
    runs = [new_run_id(datetime(2024, 1, d, 12, 0, 0, 5, tzinfo=timezone.utc)) for d in (3, 1, 2)]
    for run in runs:
        Path(coll.items_path(run)).write_text("")
    (Path(coll.items_dir) / "notes.txt").write_text("not an item file")

    assert coll.item_files() == [coll.items_path(r) for r in sorted(runs)]
    assert os.path.basename(coll.item_files()[0]) == "20240101T120000000005Z.jsonl"


def test_item_files_of_a_collection_without_items_dir(tmp_path: Path) -> None:
    assert Collection(str(tmp_path), "bare").item_files() == []


def test_warc_files_lists_closed_warcs_only(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path), "news")
    for name in ["b.warc.gz", "a.warc.gz", "c.warc.gz.open"]:
        (Path(coll.archive_dir) / name).write_bytes(b"")
    assert coll.warc_files() == [
        os.path.join(coll.archive_dir, n) for n in ["a.warc.gz", "b.warc.gz"]]


def test_run_ids_sort_by_time() -> None:
    early = new_run_id(datetime(2024, 1, 1, 23, 59, 59, 999999, tzinfo=timezone.utc))
    late = new_run_id(datetime(2024, 1, 2, 0, 0, 0, tzinfo=timezone.utc))
    assert early == "20240101T235959999999Z" and early < late


# -- items --------------------------------------------------------------------------------
def test_item_writer_and_iter_items_round_trip(tmp_path: Path) -> None:
    path = str(tmp_path / "run.jsonl")
    writer = ItemWriter(path)
    items = [{"url": "https://a.example/1", "title": "Zürich „quoted“", "authors": ["A", "B"]},
             {"url": "https://a.example/2", "text": "line one\n\nline two"}]
    for item in items:
        writer.write(item)
    # each line is on disk before close: a crash loses nothing already written
    assert Path(path).read_text(encoding="utf-8").count("\n") == 2
    writer.close()

    assert writer.count == 2
    assert list(iter_items([path])) == [(path, 1, items[0]), (path, 2, items[1])]
    assert "Zürich" in Path(path).read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes


def test_item_writer_creates_no_file_without_items(tmp_path: Path) -> None:
    writer = ItemWriter(str(tmp_path / "run.jsonl"))
    writer.close()
    assert os.listdir(tmp_path) == []


def test_torn_last_line_is_skipped_and_earlier_lines_are_intact(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"url": "https://a.example/1"}\n\n[1, 2]\n{"url": "https://a.example/2"}\n'
                    '{"url": "https://a.example/3", "ti', encoding="utf-8")
    other = tmp_path / "next.jsonl"
    other.write_text('{"url": "https://a.example/4"}\n', encoding="utf-8")

    got = [(os.path.basename(p), n, item["url"])
           for p, n, item in iter_items([str(path), str(other)])]

    assert got == [("run.jsonl", 1, "https://a.example/1"), ("run.jsonl", 4, "https://a.example/2"),
                   ("next.jsonl", 1, "https://a.example/4")]


def test_appending_after_a_torn_line_does_not_lose_the_new_item(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"url": "https://a.example/1"}\n{"url": "https://a.exa', encoding="utf-8")
    writer = ItemWriter(str(path))
    writer.write({"url": "https://a.example/2"})
    writer.close()
    assert [item["url"] for _, _, item in iter_items([str(path)])] == [
        "https://a.example/1", "https://a.example/2"]


def test_write_run_report_is_atomic(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path), "news")
    old = coll.write_run_report("r1", {"articles": 1})
    started = datetime(2024, 1, 1, tzinfo=timezone.utc)
    path = coll.write_run_report("r1", {"articles": 2, "started": started})

    assert path == old == coll.run_report_path("r1")
    assert os.listdir(coll.runs_dir) == ["r1.json"]  # no .tmp left behind
    report = json.loads(Path(path).read_text())
    assert report == {"articles": 2, "started": "2024-01-01 00:00:00+00:00"}


# -- the writer lock ----------------------------------------------------------------------
def test_a_second_writer_is_refused_until_the_first_releases(tmp_path: Path) -> None:
    coll = Collection.create(str(tmp_path), "news")
    with coll.lock():
        with pytest.raises(CollectionError) as caught:
            Collection.open(str(tmp_path), "news").lock().acquire()
        assert "'news'" in str(caught.value) and "pid %d" % os.getpid() in str(caught.value)
    with coll.lock():  # released: the next run may write
        pass


def test_iter_items_skips_a_line_torn_inside_a_utf8_sequence(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes('{"url": "https://a.example/1", "title": "Straße"}\n'.encode()
                     + '{"url": "https://a.example/2", "title": "Stra'.encode() + "ß".encode()[:1] + b"\n"
                     + b'{"url": "https://a.example/3"}\n')
    assert [item["url"] for _, _, item in iter_items([str(path)])] == ["https://a.example/1", "https://a.example/3"]
