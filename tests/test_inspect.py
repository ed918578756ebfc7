"""`newsarchive inspect COLLECTION URL` over real crawls of the demo site (and of a site whose
article changes), and the per-page outcomes that crawls and replays record in the store."""
from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive.store import Store
from crawler.cli import main
from demosite import DemoSite
from tests.conftest import CrawlResult, crawl, run_newsarchive


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CrawlResult, str]]:
    """The demo site crawled twice with conditional requests: unchanged pages answer 304 the second time."""
    root = tmp_path_factory.mktemp("inspect")
    with DemoSite() as site:
        for _ in range(2):
            result = crawl(site.url, root, "c", "--conditional")
            assert result.returncode == 0, result.stderr
        yield result, site.url


def inspect(capsys: pytest.CaptureFixture[str], result: CrawlResult, url: str, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["inspect", "c", url, "--root", str(result.root), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_page_unchanged_on_the_second_crawl_shows_its_304_revisit(twice, capsys) -> None:
    result, site = twice
    code, out, _ = inspect(capsys, result, site, "--json")
    assert code == 0
    found = json.loads(out)
    warcs = sorted(p.name for p in (result.path / "archive").glob("*.warc.gz"))
    assert [(c["status"], c["kind"]) for c in found["captures"]] == [(200, "response"), (304, "304 revisit")]
    first, again = found["captures"]
    assert (first["file"], again["file"]) == (warcs[0], warcs[1])  # one WARC file per run
    assert again["refers_to"] == "%s at %s" % (site, first["time"])
    # the offsets are the records' places: the index (which leaves 304 revisits out) agrees on the first
    indexed = [json.loads(line.split(" ", 2)[2]) for line in
               (result.path / "indexes" / "index.cdxj").read_text().splitlines()]
    assert [(e["filename"], int(e["offset"])) for e in indexed if e["url"] == site] == [
        (first["file"], first["offset"])]
    assert first["outcome"]["kind"] == "not_article" and first["outcome"]["detail"] == "home"
    assert again["outcome"] is None and found["item"] is None

    code, out, _ = inspect(capsys, result, site)
    assert code == 0
    assert "304 revisit" in out and "not article: home" in out and "not modified" in out


def test_a_duplicate_names_its_original_and_shows_the_original_item(twice, capsys) -> None:
    result, site = twice
    first_run = result.reports()[0]["run"]
    with Store(str(result.path / "state" / "store.sqlite")) as store:
        duplicates = [(url, original) for url, kind, _detail, original in store.run_outcomes(first_run)
                      if kind == "duplicate"]
    assert duplicates, "the demo site's AMP copy is no duplicate any more?"
    copy, original = duplicates[0]
    assert copy != original

    code, out, _ = inspect(capsys, result, copy, "--json")
    assert code == 0
    found = json.loads(out)
    assert found["captures"][0]["outcome"]["kind"] == "duplicate"
    assert found["captures"][0]["outcome"]["duplicate_of"] == original
    assert found["alias_of"]["url"] == original
    assert found["item_url"] == original and found["item"]["url"] == original
    code, out, _ = inspect(capsys, result, copy)
    assert "of %s" % original in out and "alias of: %s" % original in out

    code, out, _ = inspect(capsys, result, original, "--json")
    found = json.loads(out)
    assert found["captures"][0]["outcome"]["kind"] == "written"
    assert copy in [alias["alias"] for alias in found["aliases"]]


def test_the_url_is_matched_canonicalized(twice, capsys) -> None:
    result, site = twice
    code, out, _ = inspect(capsys, result, site + "?utm_source=feed#top", "--json")
    assert code == 0
    assert len(json.loads(out)["captures"]) == 2


def test_a_url_the_collection_never_saw_exits_1_and_a_missing_collection_2(twice, capsys) -> None:
    result, site = twice
    code, out, err = inspect(capsys, result, site + "never/seen/")
    assert code == 1 and out == ""
    assert "never seen" in err and "never/seen/" in err
    capsys.readouterr()
    assert main(["inspect", "nope", site, "--root", str(result.root)]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_replay_records_the_outcomes_of_its_own_run(twice, tmp_path) -> None:
    result, _site = twice
    proc = run_newsarchive("replay", "c", "--root", str(result.root), "--collection", "c-replay")
    assert proc.returncode == 0, proc.stderr
    replayed = result.root / "c-replay"
    (report,) = [json.loads(p.read_text()) for p in (replayed / "runs").glob("*.json")]
    items = [json.loads(line) for f in (replayed / "items").glob("*.jsonl") for line in f.read_text().splitlines()]
    with Store(str(replayed / "state" / "store.sqlite")) as store:
        outcomes = list(store.run_outcomes(report["run"]))
    kinds = Counter(kind for _url, kind, _d, _o in outcomes)
    assert kinds["written"] == len(items) > 0
    assert kinds["duplicate"] >= 1 and kinds["not_article"] > 0
    crawl_run = result.reports()[0]["run"]
    with Store(str(result.path / "state" / "store.sqlite")) as store:
        crawled = Counter(kind for _url, kind, _d, _o in store.run_outcomes(crawl_run))
    assert crawled["written"] == len(result.items(crawl_run))


# -- a new version --------------------------------------------------------------------------
STORY = ["Paragraph %d of the harbour story: the port authority voted on Monday to deepen the main "
         "channel so that larger container ships can call, after a year of studies and hearings." % n
         for n in range(1, 8)]
UPDATE = "Update: the work will start in May, the authority said after this story was published."


class ChangingArticle:
    """A home page linking one article whose text gains a paragraph when `updated`."""

    def __init__(self) -> None:
        self.updated = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/":
                    body = b'<html><body><a href="/news/harbour">Harbour</a></body></html>'
                elif self.path == "/news/harbour":
                    paragraphs = STORY + ([UPDATE] if owner.updated else [])
                    body = ("<html lang='en'><head><title>Harbour channel to be deepened</title>"
                            "<meta property='og:type' content='article'></head><body><article>"
                            "<h1>Harbour channel to be deepened</h1>"
                            + "".join("<p>%s</p>" % p for p in paragraphs) + "</article></body></html>").encode()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ChangingArticle:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_updated_article_shows_both_versions_and_both_captures(tmp_path: Path, capsys) -> None:
    with ChangingArticle() as site:
        assert crawl(site.url, tmp_path, "c", "--recrawl-days", "2").returncode == 0
        site.updated = True
        result = crawl(site.url, tmp_path, "c", "--recrawl-days", "2")
        assert result.returncode == 0, result.stderr
    article = site.url + "news/harbour"
    code, out, _ = inspect(capsys, result, article, "--json")
    assert code == 0
    found = json.loads(out)
    assert [(c["status"], c["kind"]) for c in found["captures"]] == [(200, "response"), (200, "response")]
    assert [(c["outcome"]["kind"], c["outcome"]["detail"]) for c in found["captures"]] == [
        ("written", "new"), ("written", "updated")]
    assert [v["version"] for v in found["versions"]] == [1, 2]
    assert UPDATE in found["item"]["text"] and UPDATE not in found["versions"][0]["text"]
    runs = [r["run"] for r in result.reports()]
    assert [c["outcome"]["run"] for c in found["captures"]] == runs
    code, out, _ = inspect(capsys, result, article)
    assert "versions: 2" in out and "written (updated)" in out


def test_after_a_store_rebuild_captures_show_no_outcome_but_the_item_remains(twice, tmp_path, capsys) -> None:
    import shutil

    result, site = twice
    copy = tmp_path / "c"
    shutil.copytree(result.path, copy)
    proc = run_newsarchive("repair", str(copy), "--rebuild-store")
    assert proc.returncode == 0, proc.stderr
    article = next(i for i in result.items() if i["url"].startswith(site))["url"]
    capsys.readouterr()
    assert main(["inspect", str(copy), article, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["captures"] and all(c["outcome"] is None for c in found["captures"])
    assert found["item"]["url"] == article
    assert main(["inspect", str(copy), article]) == 0
    assert "no outcome recorded" in capsys.readouterr().out
