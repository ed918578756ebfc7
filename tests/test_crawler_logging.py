"""Where the log goes: stderr, or the file that --log-file or `-s LOG_FILE=` names (real crawls)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_newsarchive

# a log record as main() formats it: "2026-01-02 03:04:05,678 INFO scrapy.core.engine: ..."
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ", re.MULTILINE)


def log_crawl(site_url: str, root: Path, *args: str, before: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """A small crawl of the demo site with `args` after the command (`before`: ahead of it)."""
    proc = run_newsarchive(*before, "crawl", site_url, "--root", str(root), "--collection", "log",
                           "--allow-private", "--max-pages", "3", *args)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("where", ["-s LOG_FILE", "--log-file after the command", "--log-file before it"])
def test_the_log_file_gets_the_log_and_stderr_none_of_it(demo_site, tmp_path: Path, where: str) -> None:
    log = tmp_path / "crawl.log"
    if where == "-s LOG_FILE":
        code, out, err = log_crawl(demo_site.url, tmp_path, "-v", "-s", "LOG_FILE=%s" % log)
    elif where == "--log-file after the command":
        code, out, err = log_crawl(demo_site.url, tmp_path, "-v", "--log-file", str(log))
    else:
        code, out, err = log_crawl(demo_site.url, tmp_path, before=("-v", "--log-file", str(log)))
    assert code == 0, err
    text = log.read_text(encoding="utf-8")
    assert len(re.findall(r"INFO crawler\.run_crawl: run \S+: crawling 1 seed", text)) == 1, text[-3000:]
    assert "Enabled extensions" not in text  # Scrapy's set-up dumps are -vv only
    assert not LOG_LINE.search(err), err[-3000:]  # not a line of it on stderr
    assert "articles written" in out  # the summary is output, not log


def test_without_a_log_file_stderr_gets_each_line_once(demo_site, tmp_path: Path) -> None:
    code, _, err = log_crawl(demo_site.url, tmp_path, "-vv")
    assert code == 0, err
    assert len(re.findall(r"INFO scrapy\.core\.engine: Spider opened", err)) == 1, err[-3000:]
    assert not list(tmp_path.glob("*.log"))


def test_the_log_file_is_appended_to(demo_site, tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    log.write_text("an earlier line\n", encoding="utf-8")
    code, _, err = log_crawl(demo_site.url, tmp_path, "-v", "-s", "LOG_FILE=%s" % log)
    assert code == 0, err
    text = log.read_text(encoding="utf-8")
    assert text.startswith("an earlier line\n") and "crawling 1 seed" in text


def test_a_log_file_that_cannot_be_written_is_one_line_and_nothing_starts(tmp_path: Path) -> None:
    log = tmp_path / "no-such-folder" / "crawl.log"
    proc = run_newsarchive("--log-file", str(log), "crawl", "http://127.0.0.1:9/", "--root", str(tmp_path / "root"),
                           "--allow-private", cwd=REPO)
    assert proc.returncode == 1
    assert proc.stderr.startswith("newsarchive crawl: cannot write the log file: ")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert not (tmp_path / "root").exists() and not log.parent.exists()

