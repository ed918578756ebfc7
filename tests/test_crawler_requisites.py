"""Page requisites: what a browser needs to render each archived page, archived with it (crawler/requisites.py).

Real crawls (`newsarchive crawl` in a child process) of a site on 127.0.0.1 whose CSS, font and logo
sit on a second host (localhost: the same server, another host name, another robots.txt).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO, CrawlResult, crawl, run_newsarchive, warc_check
from tests.hostile_server import HostileServer
from tests.requisite_site import ARTICLES, BIG_IMAGE_SIZE, RequisiteSite

QUIET = ("-s", "DISCOVERY_PROBE=0")  # no /feed, /sitemap.xml probes: the counts below are the site's own


def _records(collection: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(type, target URI, WARC headers) of every record the collection's WARCs hold."""
    found = []
    for path in sorted((collection / "archive").glob("*.warc.gz*")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                headers = dict(record.rec_headers.headers)
                found.append((record.rec_type, headers.get("WARC-Target-URI", ""), headers))
    return found


def _uris(collection: Path, kind: str) -> Counter[str]:
    return Counter(uri for rec_type, uri, _ in _records(collection) if rec_type == kind)


def _report(result: CrawlResult, index: int = -1) -> dict[str, Any]:
    return result.reports()[index]


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[HostileServer, RequisiteSite]]:
    with HostileServer() as server:
        requisite_site = RequisiteSite(server)
        requisite_site.install()
        yield server, requisite_site


@pytest.fixture(scope="module")
def first(site: tuple[HostileServer, RequisiteSite], tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    server, _ = site
    result = crawl(server.url, tmp_path_factory.mktemp("requisites"), "c", *QUIET)
    assert result.returncode == 0, result.stderr
    return result


def test_requisites_are_archived_on_both_hosts_and_through_three_hops(first: CrawlResult, site) -> None:
    server, requisite_site = site
    responses = _uris(first.path, "response")
    cdn, home = requisite_site.cdn, requisite_site.site
    wanted = [
        home + "/static/site.css",  # hop 1: the page's stylesheet
        cdn + "/cdn/fonts.css",  # hop 2: its @import, on the CDN host
        cdn + "/cdn/sea.woff2",  # hop 3: the imported stylesheet's font
        home + "/static/bg.png",  # hop 2: the stylesheet's background image
        cdn + "/cdn/logo.png", home + "/static/app.js", home + "/favicon.ico", home + "/static/poster.jpg",
        *["%s/img/%s-%d.jpg" % (home, a.strip("/"), w) for a in ARTICLES for w in (400, 800)],  # srcset
    ]
    assert [url for url in wanted if url not in responses] == []
    # never fetched: video and audio bodies, an anchor to a stylesheet, what the CDN's robots.txt keeps out
    for path in ("/media/clip.mp4", "/media/sound.mp3", "/static/linked.css", "/cdn/private/tracker.png"):
        assert server.requested(path) == 0, path
    counts = _report(first)["requisites"]
    assert counts["archived"] == sum(responses[url] for url in responses if "/static/" in url or "/cdn/" in url
                                     or "/img/" in url or url.endswith("/favicon.ico"))
    assert counts["requested"] == counts["archived"] + counts["failed"]
    assert counts["failed"] == 1  # the tracker robots.txt refused
    assert counts["bytes"] >= BIG_IMAGE_SIZE
    assert counts["too_big"] == counts["page_cap"] == counts["hop_cap"] == counts["not_modified"] == 0
    assert "  requisites        %d archived" % counts["archived"] in first.stdout


def test_a_shared_requisite_is_fetched_and_stored_once(first: CrawlResult, site) -> None:
    server, requisite_site = site
    css = requisite_site.site + "/static/site.css"
    assert server.requested("/static/site.css") == 1  # used by the home page and three articles
    assert server.requested("/cdn/logo.png") == 1
    assert _uris(first.path, "response")[css] == 1
    assert _uris(first.path, "request")[css] == 1


def test_no_requisite_ever_becomes_an_item(first: CrawlResult) -> None:
    items = first.items()
    assert sorted(item["url"].rsplit("/", 1)[1] for item in items) == ["a1", "a2", "a3"]
    report = _report(first)
    assert report["articles"] == 3
    assert report["not_articles"] == 1  # the home page; no requisite reached the extraction workers


def test_a_second_run_asks_conditionally_and_archives_revisits(first: CrawlResult, site, tmp_path: Path) -> None:
    server, requisite_site = site
    shutil.copytree(first.path, tmp_path / "c")
    before = len(server.requests)
    again = crawl(server.url, tmp_path, "c", "--conditional", *QUIET)
    assert again.returncode == 0, again.stderr
    second = server.requests[before:]
    css_requests = [r for r in second if r.startswith(b"GET /static/site.css ")]
    assert len(css_requests) == 1 and b"If-None-Match: \"v1\"" in css_requests[0]
    # fonts.css answered 304: its archived copy is read, so the font is still asked for (conditionally)
    font_requests = [r for r in second if r.startswith(b"GET /cdn/sea.woff2 ")]
    assert len(font_requests) == 1 and b"If-None-Match" in font_requests[0]
    revisits = [(uri, headers) for rec_type, uri, headers in _records(tmp_path / "c") if rec_type == "revisit"]
    css = requisite_site.site + "/static/site.css"
    profiles = [h.get("WARC-Profile", "") for uri, h in revisits if uri == css]
    assert len(profiles) == 1 and profiles[0].endswith("server-not-modified")
    counts = _report(again)["requisites"]
    # the articles are known (not fetched again): the home page's requisites, each answered 304
    assert counts["not_modified"] == counts["requested"] == counts["archived"] == 8
    assert "not modified" in again.stdout


def test_no_requisites_archives_none(site, tmp_path: Path) -> None:
    server, _ = site
    result = crawl(server.url, tmp_path, "c", "--no-requisites", *QUIET)
    assert result.returncode == 0, result.stderr
    uris = {uri for _, uri, _ in _records(tmp_path / "c") if uri}
    assert sorted(u.split("/", 3)[3] for u in uris) == ["", "a1", "a2", "a3", "robots.txt"]
    assert set(_report(result)["requisites"].values()) == {0}
    assert "  requisites  " not in result.stdout
    assert len(result.items()) == 3


def test_the_per_page_and_size_caps_are_counted(tmp_path: Path) -> None:
    with HostileServer() as server:
        RequisiteSite(server).install()
        result = crawl(server.url, tmp_path, "c", "--requisites-per-page", "5",
                       "--requisite-max-size", "100000", *QUIET)
    assert result.returncode == 0, result.stderr
    counts = _report(result)["requisites"]
    assert counts["page_cap"] == 3  # each article has 8 (the home page 5: /img/big.jpg is its fifth)
    assert counts["too_big"] == 1  # /img/big.jpg: 300,000 bytes
    (big,) = [h for t, uri, h in _records(tmp_path / "c") if t == "response" and uri.endswith("/img/big.jpg")]
    assert big["WARC-Truncated"] == "length"
    assert "caps hit: per page: %d, size: 1" % counts["page_cap"] in result.stdout
    assert len(result.items()) == 3


def test_the_hop_limit_is_respected(tmp_path: Path) -> None:
    with HostileServer() as server:
        RequisiteSite(server).install()
        result = crawl(server.url, tmp_path, "c", "-s", "REQUISITES_MAX_HOPS=2", *QUIET)
        assert server.requested("/cdn/fonts.css") == 1  # hop 2
        assert server.requested("/cdn/sea.woff2") == 0  # hop 3
    assert result.returncode == 0, result.stderr
    assert _report(result)["requisites"]["hop_cap"] == 1


def test_replay_rebuilds_the_same_items(first: CrawlResult, tmp_path: Path) -> None:
    proc = run_newsarchive("replay", str(first.path / "archive"), "--root", str(tmp_path), "--collection", "again")
    assert proc.returncode == 0, proc.stderr
    replayed = CrawlResult(tmp_path, "again", 0, "", "").items()
    crawled = first.items()
    assert [(i["url"], i["content_hash"], i["text"]) for i in replayed] == [
        (i["url"], i["content_hash"], i["text"]) for i in crawled]


def test_a_crawl_with_requisites_passes_warc_check_strict(first: CrawlResult) -> None:
    files = sorted(str(p) for p in (first.path / "archive").glob("*.warc.gz"))
    proc = warc_check("--strict", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# A project of someone else's, with the add-on: its page comes from a file (the only way to a page
# here that the private-address guard lets through); its requisites are on 127.0.0.1.
FOREIGN_SETTINGS = """
BOT_NAME = "foreign"
SPIDER_MODULES = ["foreignproj.spiders"]
ADDONS = {"crawler.addon.NewsArchiveAddon": 0}
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
ARCHIVE_ROOT = %(root)r
ARCHIVE_COLLECTION = "theirs"
EXTRACT_WORKERS = 0
"""
FOREIGN_SPIDER = """
import scrapy

from crawler.addon import page_of


class Pages(scrapy.Spider):
    name = "pages"

    async def start(self):
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        yield page_of(response)
"""


def test_a_requisite_on_a_private_address_is_refused_without_allow_private(tmp_path: Path) -> None:
    project = tmp_path / "project"
    package = project / "foreignproj"
    (package / "spiders").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "spiders" / "__init__.py").write_text("")
    (package / "settings.py").write_text(textwrap.dedent(FOREIGN_SETTINGS % {"root": str(tmp_path / "root")}))
    (package / "spiders" / "pages.py").write_text(textwrap.dedent(FOREIGN_SPIDER))
    (project / "scrapy.cfg").write_text("[settings]\ndefault = foreignproj.settings\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(project), str(REPO))))
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with HostileServer() as server:
        requisite_site = RequisiteSite(server)
        requisite_site.install()
        local = tmp_path / "page.html"
        local.write_bytes(requisite_site.page("a1", 1).replace(b'href="/static/', b'href="%s/static/' % (
            requisite_site.site.encode())))
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "pages", "-a", "start_url=" + local.as_uri()],
                              cwd=project, env=env, capture_output=True, text=True, timeout=300)
        assert server.requests == []  # no requisite reached the server
    assert "resolves to non-public address 127.0.0.1" in proc.stderr, proc.stderr[-3000:]
    (report,) = [json.loads(p.read_text()) for p in (tmp_path / "root" / "theirs" / "runs").glob("*.json")]
    assert report["stats"]["fetch/refused_private"] >= 1
    assert report["requisites"]["failed"] >= 1 and report["requisites"]["archived"] == 0
