"""`export -o` and `wacz -o`: a file appears whole or not at all; a place that cannot be written is
one line and exit 1 (crawler/output.py). Real failures only: a missing folder, a directory, /sys
(which refuses new files even to root), /dev/full, and a file-size limit (RLIMIT_FSIZE) in the
child process for a disk that fills up halfway."""
from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from archive.collection import Collection
from crawler.cli import main
from tests.conftest import REPO, CrawlResult


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture()
def hand_made(tmp_path: Path) -> tuple[Path, list[dict]]:
    """A collection with 200 items of ~1 KB written by hand (no crawl needed): (root, items)."""
    root = tmp_path / "collections"
    collection = Collection.create(str(root), "hand")
    items = [{"url": "https://news.example.org/%d" % n, "title": "Story %d" % n, "text": "word " * 200}
             for n in range(200)]
    Path(collection.items_path("20240101T000000000000Z")).write_text(
        "".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return root, items


def read_only_place() -> str:
    """A new file under /sys: sysfs lets no one create files there, root included."""
    probe = "/sys/newsarchive-probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except OSError:
        return "/sys/out"
    os.unlink(probe)
    pytest.skip("this machine's /sys accepts new files: no read-only place to try")


def unwritable_targets(tmp_path: Path) -> list[tuple[str, str]]:
    """(target, what the one line must say about it)."""
    return [(str(tmp_path / "no-such-folder" / "out"), "there is no folder %s" % (tmp_path / "no-such-folder")),
            (str(tmp_path), "it is a directory"),
            (read_only_place(), os.strerror(13)),
            ("/dev/full", os.strerror(28))]


def test_export_to_a_place_it_cannot_write_is_one_line_and_exit_1(hand_made, tmp_path: Path, capsys) -> None:
    root, _ = hand_made
    for target, cause in unwritable_targets(tmp_path):
        assert main(["export", "hand", "--root", str(root), "-o", target]) == 1, target
        line = one_line_error(capsys)
        assert line == "newsarchive export: cannot write %s: %s" % (target, cause)


def test_wacz_to_a_place_it_cannot_write_is_one_line_and_exit_1(demo_crawl: CrawlResult, tmp_path: Path,
                                                                capsys) -> None:
    for target, cause in unwritable_targets(tmp_path):
        assert main(["wacz", "demo", "--root", str(demo_crawl.root), "-o", target]) == 1, target
        line = one_line_error(capsys)
        assert line.startswith("newsarchive wacz: cannot write %s: " % target) and cause in line, line


def _file_size_limit(limit: int):
    def limited() -> None:  # in the child: writes past `limit` bytes fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limited


def newsarchive_bytes(*args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    """`python -m crawler ARGS` in a child process (its output as bytes), perhaps with files
    limited to `limit` bytes."""
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, timeout=300,
                          preexec_fn=None if limit is None else _file_size_limit(limit))


@pytest.mark.parametrize("existing", [True, False], ids=["existing", "new"])
def test_an_export_that_fails_halfway_leaves_no_partial_file(hand_made, tmp_path: Path, existing: bool) -> None:
    root, _ = hand_made
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "items.jsonl"
    if existing:
        target.write_text("the previous export\n")
    proc = newsarchive_bytes("export", "hand", "--root", str(root), "-o", str(target), limit=50_000)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.decode().strip() == "newsarchive export: cannot write %s: %s" % (target, os.strerror(27))
    assert [p.name for p in out_dir.iterdir()] == (["items.jsonl"] if existing else [])
    if existing:
        assert target.read_text() == "the previous export\n"


def test_a_wacz_that_fails_halfway_leaves_no_partial_file(demo_crawl: CrawlResult, tmp_path: Path) -> None:
    target = tmp_path / "demo.wacz"
    target.write_bytes(b"the previous package")
    # above the page list py-wacz is handed (~100 KB), below the package (~500 KB)
    proc = newsarchive_bytes("wacz", "demo", "--root", str(demo_crawl.root), "-o", str(target), limit=250_000)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.decode().strip() == "newsarchive wacz: cannot write %s: %s" % (target, os.strerror(27))
    assert [p.name for p in tmp_path.iterdir()] == ["demo.wacz"]
    assert target.read_bytes() == b"the previous package"


def test_export_replaces_a_file_whole_with_the_usual_mode(hand_made, tmp_path: Path, capsys) -> None:
    root, items = hand_made
    target = tmp_path / "items.jsonl"
    target.write_text("old\n")
    os.umask(old := os.umask(0o022))
    assert main(["export", "hand", "--root", str(root), "-o", str(target)]) == 0
    assert [json.loads(line) for line in target.read_text().splitlines()] == items
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~old  # as open() would make it, not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collections", "items.jsonl"]
    assert "exported 200 articles to %s" % target in capsys.readouterr().err


def test_export_through_a_symlink_writes_the_file_it_names(hand_made, tmp_path: Path) -> None:
    root, items = hand_made
    (tmp_path / "real.jsonl").write_text("old\n")
    (tmp_path / "link.jsonl").symlink_to("real.jsonl")
    assert main(["export", "hand", "--root", str(root), "-o", str(tmp_path / "link.jsonl")]) == 0
    assert (tmp_path / "link.jsonl").is_symlink()
    assert len((tmp_path / "real.jsonl").read_text().splitlines()) == len(items)


def test_export_writes_a_fifo_in_place(hand_made, tmp_path: Path) -> None:
    root, items = hand_made
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        assert main(["export", "hand", "--root", str(root), "-o", str(fifo)]) == 0
    finally:
        reader.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # not replaced by a regular file
    assert [json.loads(line) for line in got[0].splitlines()] == items


def test_dash_is_stdout(hand_made, capsys) -> None:
    root, items = hand_made
    assert main(["export", "hand", "--root", str(root), "-o", "-"]) == 0
    out = capsys.readouterr()
    assert [json.loads(line) for line in out.out.splitlines()] == items
    assert out.err == ""


def test_wacz_to_stdout_is_the_package_and_the_summary_goes_to_stderr(demo_crawl: CrawlResult,
                                                                      tmp_path: Path) -> None:
    proc = newsarchive_bytes("wacz", "demo", "--root", str(demo_crawl.root), "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert b"wrote stdout: 1 WARC files" in proc.stderr
    package = tmp_path / "from-stdout.wacz"
    package.write_bytes(proc.stdout)
    with zipfile.ZipFile(package) as wacz:
        assert "pages/pages.jsonl" in wacz.namelist()
