"""The command line: exit codes, one-line errors, `extract` and `--version`."""
from __future__ import annotations

import io
import json
import random
import shutil
import urllib.request
from pathlib import Path

import pytest

from crawler.cli import main
from tests.conftest import run_newsarchive


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
    (["crawl", "http://example.org/", "--progress-every", "-1"], "-1"),
    (["export", "demo", "--progress-every", "soon"], "soon"),
    (["wacz", "demo", "--progress", "fancy"], "fancy"),
    (["--log-format", "xml", "index", "demo"], "xml"),
])
def test_usage_errors_exit_2_with_one_line(argv: list[str], words: str, tmp_path: Path, capsys) -> None:
    if argv[:1] == ["crawl"]:
        argv = argv + ["--root", str(tmp_path)]
    assert main(argv) == 2
    assert words in one_line_error(capsys)


def test_progress_mode_follows_the_terminal_and_the_options(monkeypatch) -> None:
    from crawler.cli import build_parser
    from crawler.progress import display_for

    monkeypatch.setenv("TERM", "xterm")

    def mode(*argv: str, terminal: bool = False) -> tuple[str, float]:
        args = build_parser().parse_args([*argv[:1], "demo", *argv[1:]])
        display = display_for(args.command, args, _Terminal() if terminal else io.StringIO())
        return display.mode, display.interval

    assert mode("export") == ("plain", 30.0)
    assert mode("export", "--progress-every", "5") == ("plain", 5.0)
    assert mode("export", "--progress-every", "0") == ("off", 0.0)
    assert mode("export", "-q", "--progress-every", "5") == ("off", 5.0)
    assert mode("wacz", terminal=True)[0] == "live"
    assert mode("wacz", "-q", terminal=True)[0] == "off"
    assert mode("replay", "--collection", "x", "--progress", "plain", terminal=True) == ("plain", 30.0)


class _Terminal(io.StringIO):
    """A stream that says it is a terminal (what `isatty()` answers is all progress asks)."""

    def isatty(self) -> bool:
        return True


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


@pytest.mark.parametrize("url", ["notaurl", "ftp://example.org/a", "http://exa mple.com/", "/a/b"])
def test_extract_with_a_bad_url_is_a_usage_error(url: str, tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Hello</p></body></html>")
    assert main(["extract", str(page), "--url", url]) == 2
    assert repr(url) in one_line_error(capsys)


@pytest.mark.parametrize("body", [
    random.Random(12).randbytes(5000),  # NULs early on: the crawl's skipped:binary
    bytes(b for b in random.Random(12).randbytes(600) if b),  # no NUL, but control bytes no text has
], ids=["with-nul", "without-nul"])
def test_extract_refuses_binary_data(body: bytes, tmp_path: Path, capsys) -> None:
    data = tmp_path / "data.bin"
    data.write_bytes(body)
    assert main(["extract", str(data), "--url", "http://example.org/a"]) == 1
    line = one_line_error(capsys)
    assert line.startswith("newsarchive extract: %s: binary data, not HTML" % data), line
    assert capsys.readouterr().out == ""


def test_extract_takes_utf16_html_with_its_bom(demo_site, tmp_path: Path, capsys) -> None:
    article = demo_site.articles()[0]
    with urllib.request.urlopen(article.url) as resp:
        page = tmp_path / "page.html"
        page.write_bytes(resp.read().decode("utf-8").encode("utf-16"))  # half its bytes are NULs
    assert main(["extract", str(page), "--url", article.url]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == article.title


@pytest.fixture()
def collection_copy(demo_crawl, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the demo collection at ./collections/demo of a fresh working directory."""
    shutil.copytree(demo_crawl.path, tmp_path / "collections" / "demo")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", ["collections/demo", "collections/demo/", "./collections/demo", "ABSOLUTE"])
@pytest.mark.parametrize("argv", [["export", "%s"], ["index", "%s"], ["runs", "%s"], ["repair", "%s"],
                                  ["wacz", "%s", "-o", "out.wacz"]], ids=lambda a: a[0] if isinstance(a, list) else a)
def test_commands_take_a_collection_by_path(argv: list[str], path: str, collection_copy: Path, capsys) -> None:
    path = str(collection_copy / "collections" / "demo") if path == "ABSOLUTE" else path
    by_path = [a.replace("%s", path) for a in argv]
    by_name = [a.replace("%s", "demo") for a in argv]
    assert main(by_path) == 0, capsys.readouterr().err
    said_by_path = capsys.readouterr().out.replace(str(collection_copy) + "/", "")  # a path is told absolute
    assert main(by_name) == 0, capsys.readouterr().err  # --root defaults to collections: the same one
    said_by_name = capsys.readouterr().out.replace(str(collection_copy) + "/", "")
    assert said_by_path.strip()
    if argv[0] != "repair":  # repair says what it did: the second has nothing left to do
        assert said_by_path == said_by_name


def test_replay_takes_a_collection_path_as_its_source(collection_copy: Path, capsys) -> None:
    assert main(["replay", "collections/demo", "--collection", "from-path"]) == 0, capsys.readouterr().err
    assert main(["replay", "demo", "--collection", "from-name"]) == 0, capsys.readouterr().err
    capsys.readouterr()

    def urls(name: str) -> list[str]:
        items = collection_copy / "collections" / name / "items"
        return sorted(json.loads(line)["url"] for f in items.glob("*.jsonl") for line in f.read_text().splitlines())

    assert urls("from-path") == urls("from-name") != []


def test_crawl_takes_a_collection_path(demo_site, tmp_path: Path, capsys) -> None:
    proc = run_newsarchive("crawl", demo_site.url, "--collection", "here/mine", "--allow-private",
                           "--max-pages", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "here" / "mine" / "runs").glob("*.json"))
    assert not (tmp_path / "collections").exists()


@pytest.mark.parametrize("argv", [
    ["export", "collections/demo", "--root", "elsewhere"],
    ["index", "collections/demo", "--root", "elsewhere"],
    ["runs", "collections/demo", "--root", "elsewhere"],
    ["repair", "collections/demo", "--root", "elsewhere"],
    ["wacz", "collections/demo", "--root", "elsewhere"],
    ["replay", "collections/demo/archive", "--collection", "collections/new", "--root", "elsewhere"],
    ["crawl", "http://127.0.0.1:9/", "--collection", "collections/new", "--root", "elsewhere"],
], ids=lambda a: a[0])
def test_a_root_that_contradicts_the_collection_path_is_a_usage_error(argv: list[str], collection_copy: Path,
                                                                      capsys) -> None:
    before = sorted(p.relative_to(collection_copy) for p in collection_copy.rglob("*"))
    assert main(argv) == 2
    assert "is not under --root elsewhere" in one_line_error(capsys)
    assert sorted(p.relative_to(collection_copy) for p in collection_copy.rglob("*")) == before  # nothing created


def test_an_index_after_a_wacz_in_the_same_process_is_the_same(collection_copy: Path, capsys) -> None:
    index = collection_copy / "collections" / "demo" / "indexes" / "index.cdxj"
    assert main(["index", "demo"]) == 0
    before = index.read_text()
    # py-wacz, imported, adds warcinfo to the record types every cdxj-indexer of the process takes
    assert main(["wacz", "demo", "-o", "out.wacz"]) == 0
    assert main(["index", "demo"]) == 0
    assert index.read_text() == before
    assert "application/warc-fields" not in before


def test_a_seed_s_password_is_never_printed(tmp_path: Path) -> None:
    bad = run_newsarchive("crawl", "http://user:s3cret@exa mple.com/", "--root", str(tmp_path / "a"))
    assert bad.returncode == 2 and "user:***@" in bad.stderr and "s3cret" not in bad.stderr
    # a crawl that runs and fails (nothing listens there) prints seeds in its summary and hints
    ran = run_newsarchive("crawl", "http://user:s3cret@127.0.0.1:9/", "--root", str(tmp_path / "b"),
                          "--allow-private", "-s", "EXTRACT_WORKERS=0", "-s", "RETRY_TIMES=0", "-v")
    assert ran.returncode == 1, ran.stderr
    assert "s3cret" not in ran.stdout + ran.stderr
    assert not [p for p in (tmp_path / "b").rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]
