"""Merging item files: latest version per article, first-seen order, filters, bad lines, workers."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import pipelines.merge as merge
from pipelines.merge import MergeFilter, MergeReport, item_moment, merged_lines


def write(path: Path, *items: dict | bytes) -> str:
    with open(path, "wb") as fh:
        for item in items:
            fh.write(item if isinstance(item, bytes) else
                     json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
    return str(path)


def item(url: str, version: int = 1, published: str | None = "2024-03-05T10:00:00+00:00", **more) -> dict:
    return {"url": url, "version": version, "published": published, "text": "Text of %s" % url, **more}


def merged(files: list[str], keep: MergeFilter | None = None, **kwargs) -> list[dict]:
    return [json.loads(line) for line in merged_lines(files, keep, **kwargs)]


def test_latest_version_wins_in_the_place_of_the_first(tmp_path: Path) -> None:
    first = write(tmp_path / "run1.jsonl", item("https://a.example/1"), item("https://a.example/2"),
                  item("https://a.example/3"))
    second = write(tmp_path / "run2.jsonl", item("https://a.example/4"), item("https://a.example/2", 2),
                   item("https://a.example/1", 2), item("https://a.example/1", 3))
    out = merged([first, second])
    assert [(i["url"], i["version"]) for i in out] == [
        ("https://a.example/1", 3), ("https://a.example/2", 2), ("https://a.example/3", 1),
        ("https://a.example/4", 1)]


def test_lines_come_back_as_stored(tmp_path: Path) -> None:
    stored = json.dumps(item("https://a.example/ü", title="Straße “quoted”"), ensure_ascii=False).encode()
    path = write(tmp_path / "run.jsonl", stored + b"\r\n")
    assert list(merged_lines([path])) == [stored]


def test_bad_lines_are_skipped_counted_and_placed(tmp_path: Path) -> None:
    good = json.dumps(item("https://a.example/1")).encode() + b"\n"
    path = write(tmp_path / "run.jsonl", b'{"url": "https://a.example/torn", "te\n', good, b"[1, 2]\n",
                 b'{"no_url": 1}\n', b'{"url": "https://a.example/\xff"}\n', b"\n   \n",
                 json.dumps(item("https://a.example/2")).encode())  # last line without its newline
    report = MergeReport()
    out = merged([path], report=report)
    assert [i["url"] for i in out] == ["https://a.example/1", "https://a.example/2"]
    assert report.unreadable == 4
    assert report.first_unreadable == "%s at byte 0" % path
    assert report.lines == 6


def test_filters_by_time_and_site(tmp_path: Path) -> None:
    path = write(
        tmp_path / "run.jsonl",
        item("https://news.example.org/a", published="2024-03-01"),
        item("https://www.news.example.org/b", published="2024-03-05T23:30:00+01:00"),
        item("https://other.example/c", published="2024-03-09T00:00:00Z"),
        item("https://news.example.org/d", published=None, fetched_at="2024-03-06T12:00:00Z"),
        item("https://news.example.org/e", published="not a date", fetched_at="2024-03-20T12:00:00"),
        item("https://news.example.org/f", published=None))
    day = lambda d: datetime(2024, 3, d, tzinfo=timezone.utc)  # noqa: E731
    urls = lambda keep: [i["url"] for i in merged([path], keep)]  # noqa: E731
    assert urls(MergeFilter(since=day(5))) == [
        "https://www.news.example.org/b", "https://other.example/c", "https://news.example.org/d",
        "https://news.example.org/e"]
    assert urls(MergeFilter(until=day(5).replace(hour=23, minute=59))) == ["https://news.example.org/a", "https://www.news.example.org/b"]
    assert urls(MergeFilter(sites=["News.Example.org."])) == [
        "https://news.example.org/a", "https://www.news.example.org/b", "https://news.example.org/d",
        "https://news.example.org/e", "https://news.example.org/f"]
    assert urls(MergeFilter(sites=["example.org"], since=day(6), until=day(7))) == ["https://news.example.org/d"]


def test_item_moment_takes_published_then_fetched() -> None:
    assert item_moment({"published": "2024-03-05"}) == datetime(2024, 3, 5, tzinfo=timezone.utc).timestamp()
    assert item_moment({"published": "bad", "fetched_at": "2024-03-05T01:00:00+01:00"}) == \
        datetime(2024, 3, 5, tzinfo=timezone.utc).timestamp()
    assert item_moment({"published": None}) is None


def test_worker_processes_give_what_one_process_gives(tmp_path: Path, monkeypatch) -> None:
    files = []
    for run in range(3):
        items = [item("https://a.example/%d" % ((n * 7 + run) % 150), run + 1, published="2024-03-%02d" % (n % 28 + 1))
                 for n in range(120)]
        files.append(write(tmp_path / ("run%d.jsonl" % run), *items, b"not json\n"))
    monkeypatch.setattr(merge, "INLINE_BYTES", 0)  # a pool even for these few kilobytes
    inline_report, pool_report = MergeReport(), MergeReport()
    keep = MergeFilter(since=datetime(2024, 3, 10, tzinfo=timezone.utc))
    inline = list(merged_lines(files, keep, workers=1, report=inline_report, chunk=1000))
    spawned = []
    real_pool = merge.ProcessPoolExecutor
    monkeypatch.setattr(merge, "ProcessPoolExecutor", lambda *a, **kw: spawned.append(a) or real_pool(*a, **kw))
    pooled = list(merged_lines(files, keep, workers=2, report=pool_report, chunk=1000))
    assert spawned == [(2,)]
    assert pooled == inline
    assert len(inline) > 50
    assert (pool_report.lines, pool_report.unreadable) == (inline_report.lines, inline_report.unreadable) == (363, 3)


@pytest.mark.parametrize("chunk", [1, 17, 1 << 20])
def test_ranges_cut_at_line_starts_whatever_the_chunk(tmp_path: Path, chunk: int) -> None:
    items = [item("https://a.example/%d" % n) for n in range(40)]
    path = write(tmp_path / "run.jsonl", *items)
    assert [i["url"] for i in merged([path], chunk=chunk)] == [i["url"] for i in items]
    ranges = list(merge._ranges(path, chunk))
    assert ranges[0][1] == 0 and ranges[-1][2] == Path(path).stat().st_size
    assert all(a[2] == b[1] for a, b in zip(ranges, ranges[1:], strict=False))


def test_no_files_no_items() -> None:
    assert list(merged_lines([])) == []
