"""A damaged store.sqlite is refused in one line at open, and `repair --rebuild-store` rebuilds it
from the collection's item files, WARCs and run reports."""
from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store import Store, StoreDamaged
from archive.writes import WriteFailed
from tests.conftest import CrawlResult, crawl, run_newsarchive, small_tmpfs


def copy_of(demo_crawl: CrawlResult, tmp_path: Path) -> Path:
    shutil.copytree(demo_crawl.path, tmp_path / "demo")
    return tmp_path / "demo"


def overwrite_pages(store: Path, rng: random.Random) -> None:
    """Random bytes over the start (b-tree header and cell pointers) of three random pages."""
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    for number in rng.sample(range(1, pages), 3):  # never page 0: the file header is another case
        data[number * page:number * page + 200] = rng.randbytes(200)
    store.write_bytes(bytes(data))


def truncate(store: Path, rng: random.Random) -> None:
    data = store.read_bytes()
    store.write_bytes(data[:rng.randrange(len(data) // 4, len(data) * 3 // 4)])


def garbage_wal(store: Path, rng: random.Random) -> None:
    Path(str(store) + "-wal").write_bytes(rng.randbytes(rng.randrange(40, 8000)))


def lost_wal(store: Path, rng: random.Random) -> None:
    """A store whose content lived in its WAL (a killed run: nothing checkpointed), the WAL cut to 0."""
    store.write_bytes(b"")
    Path(str(store) + "-wal").write_bytes(b"")


DAMAGES = {"pages": overwrite_pages, "truncated": truncate, "garbage-wal": garbage_wal, "lost-wal": lost_wal}


def damage(collection: Path, kind: str, seed: int = 13) -> Path:
    store = collection / "state" / "store.sqlite"
    DAMAGES[kind](store, random.Random(seed))
    return store


def one_line_naming(stderr: str, store: Path) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert str(store) in lines[0] and "--rebuild-store" in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_a_damaged_store_is_refused_at_open(tmp_path: Path, kind: str) -> None:
    (tmp_path / "c" / "runs").mkdir(parents=True)
    (tmp_path / "c" / "state").mkdir()
    path = tmp_path / "c" / "state" / "store.sqlite"
    with Store(str(path)) as store:  # a store with something in it, closed cleanly
        store.start_run("r1", "crawl", "2024-01-01T00:00:00")
        for n in range(400):
            store.add_article("http://a.test/%d" % n, "sha256:%d" % n, "%016x" % (n * 7919), "r1", "")
    (tmp_path / "c" / "runs" / "r1.json").write_text("{}")
    damage(tmp_path / "c", kind)
    with pytest.raises(StoreDamaged) as err:
        Store(str(path))
    assert str(path) in str(err.value)
    assert "newsarchive repair %s --rebuild-store" % (tmp_path / "c") in str(err.value)


def test_a_fresh_store_and_a_cleanly_reopened_one_are_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "state" / "store.sqlite"
    path.parent.mkdir()
    for _ in range(2):
        with Store(str(path)) as store:
            store.start_run("r", "crawl", "2024-01-01T00:00:00")
    Path(str(path) + "-wal").write_bytes(b"")  # what SQLite leaves when a process dies before writing
    Store(str(path)).close()
    db = sqlite3.connect(path)  # a WAL with frames in it, as a killed run leaves it
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("INSERT INTO runs (run_id, kind, started) VALUES ('r2', 'crawl', 'x')")
    db.commit()
    with Store(str(path)) as store:
        assert [r["run_id"] for r in store.runs()] == ["r", "r2"]
    db.close()


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_replay_refuses_a_damaged_store_and_a_rebuild_makes_the_collection_whole(
        demo_site, demo_crawl: CrawlResult, tmp_path: Path, kind: str) -> None:
    collection = copy_of(demo_crawl, tmp_path)
    original = run_newsarchive("export", str(collection)).stdout
    store = damage(collection, kind)
    replay = run_newsarchive("replay", str(collection / "archive"), "--collection", str(collection))
    assert replay.returncode == 1
    one_line_naming(replay.stderr, store)
    repair = run_newsarchive("repair", str(collection), "--rebuild-store")
    assert repair.returncode == 0, repair.stderr
    assert "moved the damaged store to %s.damaged-" % store in repair.stdout
    assert list(store.parent.glob("store.sqlite.damaged-*"))
    again = crawl(demo_site.url, tmp_path, "demo")
    assert again.returncode == 0, again.stderr
    (last,) = [r for r in again.reports() if r["run"] not in {r0["run"] for r0 in demo_crawl.reports()}]
    assert last["articles"] == 0, "the recrawl wrote items the rebuilt store should have known"
    assert last["stats"].get("archive/revisits", 0) > 0  # payload digests came back: unchanged pages are revisits
    assert run_newsarchive("export", str(collection)).stdout == original


def test_crawl_refuses_a_damaged_store_in_one_line(demo_site, demo_crawl: CrawlResult, tmp_path: Path) -> None:
    collection = copy_of(demo_crawl, tmp_path)
    store = damage(collection, "pages")
    refused = crawl(demo_site.url, tmp_path, "demo")
    assert refused.returncode == 1
    one_line_naming(refused.stderr, store)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (skipped with the reason where mounting is not allowed)."""
    with small_tmpfs(tmp_path / "disk", "4m") as mount_point:
        yield mount_point


@pytest.mark.parametrize("disk", ["full", "read-only"])
def test_a_healthy_store_on_a_disk_that_takes_no_writes_is_not_called_damaged(small_disk: Path, disk: str) -> None:
    (small_disk / "c" / "runs").mkdir(parents=True)
    (small_disk / "c" / "state").mkdir()
    path = small_disk / "c" / "state" / "store.sqlite"
    with Store(str(path)) as store:
        store.start_run("r1", "crawl", "2024-01-01T00:00:00")
    (small_disk / "c" / "runs" / "r1.json").write_text("{}")
    if disk == "full":
        (small_disk / "filler").write_bytes(b"\0" * shutil.disk_usage(small_disk).free)
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(WriteFailed) as failed:
        Store(str(path))
    cause = os.strerror(errno.ENOSPC if disk == "full" else errno.EROFS)
    assert str(failed.value).startswith("cannot write %s: %s" % (path, cause)), failed.value
    assert "rebuild" not in str(failed.value)
