"""The command line: exit codes, one-line errors, `extract` and `--version`."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from crawler.cli import main


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("newsarchive ")


@pytest.mark.parametrize("argv, words", [
    ([], "COMMAND"),
    (["fly"], "fly"),
    (["crawl"], "SEED"),
    (["crawl", "http://example.org/", "--max-pages", "-3"], "-3"),
    (["crawl", "http://example.org/", "--max-pages", "many"], "many"),
    (["crawl", "http://example.org/", "--collection", "../etc"], "../etc"),
    (["crawl", "http://example.org/", "-s", "NOEQUALS"], "NOEQUALS"),
    (["crawl", "http://example.org/", "-s", "ARCHIVE_MAX_SIZE=big"], "ARCHIVE_MAX_SIZE"),
    (["crawl", "http://example.org/", "-s", "ARCHIVE_COMPRESS_LEVEL=12"], "ARCHIVE_COMPRESS_LEVEL"),
    (["export"], "COLLECTION"),
    (["replay", "x.warc.gz"], "--collection"),
])
def test_usage_errors_exit_2_with_one_line(argv: list[str], words: str, tmp_path: Path, capsys) -> None:
    if argv[:1] == ["crawl"]:
        argv = argv + ["--root", str(tmp_path)]
    assert main(argv) == 2
    assert words in one_line_error(capsys)


def test_extract_prints_the_item_without_warc_fields(demo_site, tmp_path: Path, capsys) -> None:
    article = demo_site.articles()[0]
    with urllib.request.urlopen(article.url) as resp:
        page = tmp_path / "page.html"
        page.write_bytes(resp.read())
    assert main(["extract", str(page), "--url", article.url]) == 0
    item = json.loads(capsys.readouterr().out)
    assert item["title"] == article.title
    assert item["url"] == article.url
    assert not {"warc", "run", "fetched_at"} & set(item)
    assert item["content_hash"].startswith("sha256:")


def test_extract_of_a_missing_file_fails_in_one_line(tmp_path: Path, capsys) -> None:
    assert main(["extract", str(tmp_path / "none.html")]) == 1
    assert "none.html" in one_line_error(capsys)


def test_extract_of_a_non_article_says_so(tmp_path: Path, capsys) -> None:
    page = tmp_path / "list.html"
    page.write_text("<html><body><ul>" + "".join(
        '<li><a href="/a%d">Headline number %d</a></li>' % (i, i) for i in range(30)) + "</ul></body></html>")
    assert main(["extract", str(page), "--url", "http://example.org/"]) == 1
    assert "no article" in one_line_error(capsys)


@pytest.mark.parametrize("setting, words", [
    ("DISCOVERY_SCOPE=planet", "DISCOVERY_SCOPE"),
    ("DISCOVERY_MAX_DEPTH=deep", "DISCOVERY_MAX_DEPTH"),
    ("ARCHIVE_WARC_VERSION=2.0", "ARCHIVE_WARC_VERSION"),
])
def test_bad_settings_are_one_line_before_anything_runs(setting: str, words: str, tmp_path: Path, capsys) -> None:
    assert main(["crawl", "http://example.org/", "--root", str(tmp_path), "-s", setting]) == 2
    assert words in one_line_error(capsys)
