"""The archive dropped into someone else's Scrapy project through its add-on (ADDONS)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import settings as project_settings
from crawler.addon import COMPONENTS, DUPEFILTER, HANDLER, NewsArchiveAddon
from tests.conftest import REPO

FOREIGN_SETTINGS = """
BOT_NAME = "foreign"
SPIDER_MODULES = ["foreignproj.spiders"]
ADDONS = {"crawler.addon.NewsArchiveAddon": 0}
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
ARCHIVE_ROOT = %(root)r
ARCHIVE_COLLECTION = "theirs"
FETCH_ALLOW_PRIVATE = True  # the demo site is on 127.0.0.1
EXTRACT_WORKERS = 1
CLOSESPIDER_PAGECOUNT = 40
"""

# their own spider: follows every link of the start page's host, hands each HTML page over
FOREIGN_SPIDER = """
from urllib.parse import urlsplit

import scrapy

from crawler.addon import page_of


class Articles(scrapy.Spider):
    name = "articles"

    async def start(self):
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        if not response.headers.get(b"Content-Type", b"").startswith(b"text/html"):
            return
        yield page_of(response)
        host = urlsplit(self.start_url).netloc
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == host:
                yield response.follow(url)
"""


@pytest.fixture(scope="module")
def foreign_crawl(demo_site, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    project = tmp_path_factory.mktemp("foreign")
    root = project / "collections"
    package = project / "foreignproj"
    (package / "spiders").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "spiders" / "__init__.py").write_text("")
    (package / "settings.py").write_text(textwrap.dedent(FOREIGN_SETTINGS % {"root": str(root)}))
    (package / "spiders" / "articles.py").write_text(textwrap.dedent(FOREIGN_SPIDER))
    (project / "scrapy.cfg").write_text("[settings]\ndefault = foreignproj.settings\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(project), str(REPO))))
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "articles", "-a", "start_url=" + demo_site.url],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root / "theirs", proc


def test_a_foreign_project_archives_with_the_addon(foreign_crawl, demo_site) -> None:
    collection, proc = foreign_crawl
    assert "crawler.addon.NewsArchiveAddon" in proc.stderr  # "Enabled addons"
    warcs = sorted((collection / "archive").glob("*.warc.gz"))
    assert warcs and not list((collection / "archive").glob("*.open"))
    responses = set()
    for path in warcs:
        with open(path, "rb") as fh:
            responses |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                          if r.rec_type == "response"}
    assert demo_site.url in responses
    items = [json.loads(line) for f in (collection / "items").glob("*.jsonl")
             for line in f.read_text().splitlines() if line.strip()]
    articles = {a.url for a in demo_site.articles()}
    assert items and {i["url"] for i in items} <= articles
    assert all(i["warc"]["filename"] in {p.name for p in warcs} for i in items)
    (report,) = [json.loads(p.read_text()) for p in (collection / "runs").glob("*.json")]
    assert report["articles"] == len(items)
    assert report["stats"]["dupefilter/new"] > 0  # the disk-backed dupefilter ran


def test_the_addon_keeps_what_a_project_already_chose() -> None:
    from scrapy.settings import Settings

    settings = Settings({"DOWNLOADER_MIDDLEWARES": {"crawler.capture.CaptureMiddleware": None},
                         "DOWNLOAD_HANDLERS": {"https": "their.Handler"}, "ARCHIVE_GZIP": False})
    settings.set("DUPEFILTER_CLASS", "their.DupeFilter", "project")
    NewsArchiveAddon().update_settings(settings)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.capture.CaptureMiddleware"] is None  # disabled stays disabled
    assert middlewares["crawler.safety.PrivateAddressMiddleware"] == 960
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"https": "their.Handler", "http": HANDLER}
    assert settings["DUPEFILTER_CLASS"] == "their.DupeFilter"
    assert settings.getbool("ARCHIVE_GZIP") is False
    assert settings["ARCHIVE_COMPRESS_LEVEL"] == project_settings.ARCHIVE_COMPRESS_LEVEL
    assert set(settings.getdict("ITEM_PIPELINES")) == set(COMPONENTS["ITEM_PIPELINES"])


def test_the_newsarchive_project_itself_uses_the_addon(demo_crawl) -> None:
    assert project_settings.ADDONS == {"crawler.addon.NewsArchiveAddon": 0}
    for name in ("DOWNLOAD_HANDLERS", "DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "DUPEFILTER_CLASS"):
        assert not hasattr(project_settings, name), name  # listed once, in the add-on
    assert demo_crawl.reports()[-1]["stats"]["dupefilter/new"] > 0
    assert DUPEFILTER == "crawler.dupefilter.DiskDupeFilter"
