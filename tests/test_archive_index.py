"""archive/index.py: the CDXJ index is sorted in bounded runs on disk, with the same result; it
leaves server-not-modified revisits out on every path; it gets the mode open() would give it."""
from __future__ import annotations

import io
import json
import os
import random
import stat
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer

from archive import index
from archive.index import (
    INDEX_NAME,
    _SortedRuns,
    complete_index,
    indexed_files,
    rebuild_index,
    replayable,
    replayable_line,
    update_index,
)
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
        expected += [line + "\n" for line in out.getvalue().splitlines() if line.strip()]
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


# -- what a replay index leaves out -----------------------------------------------------------
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\n"


def _exchange(path: str, head: bytes = OK_HEAD, body: bytes = b"ok") -> HttpExchange:
    return HttpExchange(url="http://127.0.0.1" + path, request_head=b"GET %s HTTP/1.1\r\n\r\n" % path.encode(),
                        response_head=head, body=body, ip_address="127.0.0.1")


def _recrawled(directory: Path) -> tuple[str, str]:
    """Two runs' files: /home and /logo fetched, then /home answered 304 and /logo the same bytes."""
    first = WarcWriter(str(directory), prefix="first", host="h")
    home, logo = first.write_exchange(_exchange("/home")), first.write_exchange(_exchange("/logo"))
    (first_path,) = first.close()
    second = WarcWriter(str(directory), prefix="second", host="h")
    second.write_revisit(_exchange("/home", b"HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n", b""),
                         payload_digest=home.payload_digest, refers_to_id=home.record_id, not_modified=True)
    second.write_revisit(_exchange("/logo"), payload_digest=logo.payload_digest, refers_to_id=logo.record_id)
    (second_path,) = second.close()
    return first_path, second_path


def _kinds(indexes: Path) -> list[tuple[str, str, str]]:
    """(path, mime, status) of each line of the index."""
    found = []
    for line in (indexes / INDEX_NAME).read_text("utf-8").splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        found.append((fields["url"][len("http://127.0.0.1"):], fields["mime"], fields["status"]))
    return sorted(found)


KEPT = [("/home", "text/html", "200"), ("/logo", "text/html", "200"), ("/logo", "warc/revisit", "200")]


def test_replayable_leaves_out_the_304_revisits_only() -> None:
    assert not replayable({"mime": "warc/revisit", "status": "304"})
    assert replayable({"mime": "warc/revisit", "status": "200"})  # identical payload: replays it
    assert replayable({"mime": "text/html", "status": "304"})  # a 304 response record: not ours to hide
    assert not replayable_line(NOT_MODIFIED)
    assert replayable_line(NOT_MODIFIED.replace("304", "200"))
    assert replayable_line("not a line of CDXJ 304")  # kept as it was: the rule does not judge it
    assert not replayable_line('1,0,0,127)/x 20260101000000 {"mime": "warc/revisit", "status": 304}')


def test_update_rebuild_and_complete_leave_the_304_revisits_out(tmp_path: Path) -> None:
    first, second = _recrawled(tmp_path / "archive")
    indexes = tmp_path / "indexes"
    assert update_index(str(indexes), [first]) == 2  # a run's end
    assert update_index(str(indexes), [second]) == 3
    assert _kinds(indexes) == KEPT
    assert rebuild_index(str(indexes), [first, second]) == 3  # `newsarchive index`
    assert _kinds(indexes) == KEPT
    (indexes / INDEX_NAME).unlink()
    assert update_index(str(indexes), [first]) == 2
    assert complete_index(str(indexes), [first, second]) == 1  # a crashed run's file
    assert _kinds(indexes) == KEPT


def test_a_304_line_an_old_index_holds_goes_when_it_is_merged(tmp_path: Path) -> None:
    first, second = _recrawled(tmp_path / "archive")
    indexes = tmp_path / "indexes"
    out = io.StringIO()
    CDXJIndexer(out, [first, second]).process_all()  # as another tool (or an older release) indexed it
    (indexes).mkdir()
    (indexes / INDEX_NAME).write_text("".join(sorted(out.getvalue().splitlines(keepends=True))), "utf-8")
    assert ("/home", "warc/revisit", "304") in _kinds(indexes)
    assert indexed_files(str(indexes)) == ({os.path.basename(first), os.path.basename(second)}, 3)
    assert update_index(str(indexes), []) == 3
    assert _kinds(indexes) == KEPT


# -- file mode --------------------------------------------------------------------------------
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_the_index_gets_the_mode_open_would_give_it(tmp_path: Path, umask: int, mode: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "RUN_LINES", 4)  # run files too, each made by the same helper
    run_modes = []
    spill = _SortedRuns._spill

    def spill_and_look(self: _SortedRuns, lines: object) -> None:
        spill(self, lines)  # type: ignore[arg-type]
        run_modes.append(stat.S_IMODE(os.stat(self._runs[-1]).st_mode))

    monkeypatch.setattr(_SortedRuns, "_spill", spill_and_look)
    warc = _warc(tmp_path / "a", 10)
    indexes = tmp_path / "indexes"
    old = os.umask(umask)
    try:
        assert update_index(str(indexes), [warc]) == 10
        assert stat.S_IMODE((indexes / INDEX_NAME).stat().st_mode) == mode
        (indexes / INDEX_NAME).chmod(0o600)
        assert rebuild_index(str(indexes), [warc]) == 10  # a new file, not the old one's mode
        assert stat.S_IMODE((indexes / INDEX_NAME).stat().st_mode) == mode
    finally:
        os.umask(old)
    assert run_modes and set(run_modes) == {mode}
    assert [p.name for p in indexes.iterdir()] == [INDEX_NAME]
