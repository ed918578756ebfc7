"""`newsarchive extract --fetch URL`: one page fetched live through the crawl's guard, robots.txt
and settings, its item or the reason there is none printed, and nothing archived."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from demosite import DemoSite
from tests.conftest import run_newsarchive


def fetch(url: str, cwd: Path, *extra: str):
    """`extract --fetch URL` run in `cwd`, which must stay as empty as it was."""
    before = _tree(cwd)
    proc = run_newsarchive("extract", "--fetch", url, *extra, cwd=cwd, timeout=120)
    assert _tree(cwd) == before, "extract --fetch wrote files"
    return proc


def _tree(path: Path) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, name), path) for d, dirs, files in os.walk(path)
                  for name in dirs + files)


def test_an_article_is_fetched_and_printed_as_its_item(demo_site: DemoSite, tmp_path: Path) -> None:
    article = next(a for a in demo_site.articles() if a.authors and not a.alternate_urls)
    proc = fetch(article.url, tmp_path, "--allow-private")
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert (item["url"], item["title"], item["authors"]) == (article.url, article.title, article.authors)
    assert item["published"] == article.published
    assert " ".join(article.text.split()[:12]) in " ".join(item["text"].split())
    assert not {"fetched_at", "warc", "run"} & set(item)  # nothing was archived: nothing to point at


def test_a_listing_says_why_it_is_no_article(demo_site: DemoSite, tmp_path: Path) -> None:
    proc = fetch(demo_site.url, tmp_path, "--allow-private")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "no item (not article: home)" in proc.stderr


def test_a_missing_page_says_its_status(demo_site: DemoSite, tmp_path: Path) -> None:
    proc = fetch(demo_site.missing_url(), tmp_path, "--allow-private")
    assert proc.returncode == 1
    assert "no item (skipped: status-404)" in proc.stderr


def test_a_private_address_is_refused_without_allow_private(demo_site: DemoSite, tmp_path: Path) -> None:
    article = demo_site.articles()[0]
    proc = fetch(article.url, tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "refused: non-public address 127.0.0.1" in proc.stderr and "--allow-private" in proc.stderr


def test_a_page_robots_txt_disallows_is_refused(demo_site: DemoSite, tmp_path: Path) -> None:
    private = demo_site.private_urls()[-1]
    proc = fetch(private, tmp_path, "--allow-private")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "refused by robots.txt" in proc.stderr
    # and the same page is fetched when robots.txt is not obeyed: it was robots.txt that refused it
    proc = fetch(private, tmp_path, "--allow-private", "-s", "ROBOTSTXT_OBEY=False")
    assert "robots.txt" not in proc.stderr


def test_the_crawls_user_agent_is_sent(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    agents: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            self.send_error(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/page" % server.server_address[1]
        proc = fetch(url, tmp_path, "--allow-private", "-s", "USER_AGENT=inspectbot/1.0 (+me@example.org)")
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 1
    assert agents == ["inspectbot/1.0 (+me@example.org)"] * 2  # robots.txt, then the page


@pytest.mark.parametrize("argv", [["extract"], ["extract", "page.html", "--fetch", "http://example.org/"],
                                  ["extract", "--fetch", "ftp://example.org/"]])
def test_a_file_or_fetch_but_not_both_nor_neither(argv: list[str], tmp_path: Path) -> None:
    proc = run_newsarchive(*argv, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
