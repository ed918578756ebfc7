"""Recrawl policy: recent articles are fetched again, an update becomes a new version, not a duplicate."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.cli import main
from tests.conftest import crawl

PARAGRAPHS = [
    "The regional water board approved a plan on Tuesday to replace the ageing pumping station "
    "that serves the eastern districts, after two failures last winter left homes without supply.",
    "Engineers told the board the new station would use less energy and could be run remotely, "
    "cutting the number of night shifts needed to keep the reservoirs topped up in dry months.",
    "Residents who spoke at the meeting asked for guarantees that bills would not rise to pay for "
    "the work; the chair said the cost would be spread over thirty years of the network's life.",
    "Construction is due to begin in the spring and last eighteen months, with temporary pumps on "
    "site so that the supply is never interrupted while the old building is taken down.",
    "Opposition members questioned the tender process and asked for the full list of bidders to be "
    "published, which the board's lawyers said could happen once the contract is signed.",
    "The board will meet again next month to approve the final budget and the schedule of works.",
]
UPDATE = ("Update: after this story was published the board said the contract had been signed with "
          "a consortium of two local firms, and that the full list of bidders is now on its website.")


class ChangingSite:
    """One home page and one article whose text can be updated between crawls."""

    def __init__(self) -> None:
        self.updated = False
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/":
                    body = b'<html><body><a href="/news/water-board">Water board</a></body></html>'
                elif self.path == "/news/water-board":
                    paragraphs = PARAGRAPHS + ([UPDATE] if site.updated else [])
                    body = ("<html lang='en'><head><title>Water board approves new pumping station</title>"
                            "<meta property='og:type' content='article'></head><body><article>"
                            "<h1>Water board approves new pumping station</h1>"
                            + "".join("<p>%s</p>" % p for p in paragraphs)
                            + "</article></body></html>").encode()
                else:
                    body = b"<html><body>no</body></html>"
                    self.send_response(404)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ChangingSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def items(root: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((root / "c" / "items").glob("*.jsonl"))
            for line in f.read_text().splitlines()]


@pytest.mark.parametrize("recrawl", [False, True])
def test_an_updated_article_becomes_a_new_version_only_when_recrawled(
    recrawl: bool, tmp_path: Path, capsys
) -> None:
    extra = ("--recrawl-days", "2") if recrawl else ()
    with ChangingSite() as site:
        assert crawl(site.url, tmp_path, "c", *extra).returncode == 0
        site.updated = True
        assert crawl(site.url, tmp_path, "c", *extra).returncode == 0
        assert crawl(site.url, tmp_path, "c", *extra).returncode == 0  # nothing new since
    versions = [(i["url"], i["version"], UPDATE in i["text"]) for i in items(tmp_path)]
    article = site.url + "news/water-board"
    if not recrawl:
        assert versions == [(article, 1, False)]
        return
    assert versions == [(article, 1, False), (article, 2, True)]
    capsys.readouterr()
    assert main(["export", "c", "--root", str(tmp_path)]) == 0
    (exported,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert exported["version"] == 2 and UPDATE in exported["text"]
