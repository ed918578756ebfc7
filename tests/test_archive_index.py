"""archive/index.py: the CDXJ index is sorted in bounded runs on disk, with the same result."""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer

from archive import index
from archive.index import INDEX_NAME, _SortedRuns, complete_index, rebuild_index, replayable, update_index
from archive.warc import HttpExchange, WarcWriter

NOT_MODIFIED = '1,0,0,127)/x 20260101000000 {"mime": "warc/revisit", "status": "304"}'


def _line(n: int) -> str:
    return '1,0,0,127)/news/%d 2026010100%04d {"url": "http://127.0.0.1/news/%d", "status": "200"}' % (
        n % 37, n, n % 37)


@pytest.mark.parametrize(("run_lines", "max_runs"), [(3, 2), (5, 64), (1000, 64)])
def test_sorted_runs_give_what_one_sort_gives(tmp_path: Path, run_lines: int, max_runs: int) -> None:
    lines = [_line(n) for n in range(200)] + [_line(n) for n in range(0, 200, 7)]  # repeats too
    random.Random(4).shuffle(lines)
    sink = _SortedRuns(str(tmp_path), run_lines, max_runs)
    for line in lines:
        sink.write(line + "\n")
    sink.write(NOT_MODIFIED + "\n")  # left out: pywb would replay it as an empty 304
    sink.write("\n")
    assert list(sink.lines()) == sorted(line + "\n" for line in lines)
    sink.close()
    assert list(tmp_path.iterdir()) == []


def _warc(directory: Path, pages: int) -> str:
    writer = WarcWriter(str(directory), prefix="t", host="h", info={"software": "test"})
    for n in random.Random(1).sample(range(pages), pages):
        url = "http://127.0.0.1/news/%d" % n
        writer.write_exchange(HttpExchange(
            url=url, request_head=b"GET /news/%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % n,
            response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\n",
            body=b"%02d" % (n % 100), ip_address="127.0.0.1", protocol="HTTP/1.1"))
    (path,) = writer.close()
    return path


def test_update_and_rebuild_spill_runs_and_write_the_whole_sorted_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _warc(tmp_path / "a", 40), _warc(tmp_path / "b", 25)
    expected = []
    for path in (first, second):
        out = io.StringIO()
        CDXJIndexer(out, [path]).process_all()
        expected += [line + "\n" for line in out.getvalue().splitlines() if line.strip() and replayable(line)]
    expected.sort()
    monkeypatch.setattr(index, "RUN_LINES", 4)
    monkeypatch.setattr(index, "MAX_RUNS", 3)
    spills = []
    spill = _SortedRuns._spill
    monkeypatch.setattr(_SortedRuns, "_spill", lambda self, lines: (spills.append(1), spill(self, lines)))
    indexes = tmp_path / "indexes"
    assert update_index(str(indexes), [first]) == 40
    assert update_index(str(indexes), [second]) == 65
    assert (indexes / INDEX_NAME).read_text("utf-8") == "".join(expected)
    assert rebuild_index(str(indexes), [second, first]) == 65
    assert (indexes / INDEX_NAME).read_text("utf-8") == "".join(expected)
    assert len(spills) > 20  # runs of 4 lines, merged 3 at a time
    assert [p.name for p in indexes.iterdir()] == [INDEX_NAME]  # no run files left behind


def test_complete_index_adds_the_files_it_lacks_once(tmp_path: Path) -> None:
    first, second = _warc(tmp_path / "a", 30), _warc(tmp_path / "b", 12)
    indexes = tmp_path / "indexes"
    assert complete_index(str(indexes), []) == 0
    assert update_index(str(indexes), [first]) == 30
    assert complete_index(str(indexes), [first, second]) == 12  # a crashed run's file, say
    assert complete_index(str(indexes), [first, second]) == 0
    whole = (indexes / INDEX_NAME).read_text("utf-8")
    assert rebuild_index(str(indexes), [first, second]) == 42
    assert (indexes / INDEX_NAME).read_text("utf-8") == whole
