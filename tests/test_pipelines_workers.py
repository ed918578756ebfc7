"""Extraction workers: what the crawl process loads, what the workers share, what they return."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from pipelines.extraction_types import Extraction, extractor_info
from pipelines.textnorm import content_hash, simhash
from pipelines.workers import ExtractionPool

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = (
    "<html lang='en'><head><title>Harbour ferry link funded</title>"
    "<meta property='og:type' content='article'>"
    "<meta property='article:published_time' content='2024-03-05T10:00:00Z'></head>"
    "<body><article><h1>Harbour ferry link funded</h1>"
    "<p>The harbour council voted on Tuesday evening to fund a year-round ferry link between the "
    "old port and the three outer islands, ending a decade of seasonal-only crossings.</p>"
    "<p>Two refitted vessels will run four return trips a day from October, with a reduced "
    "timetable during winter storms, the council's transport committee said.</p>"
    "<p>Roughly four thousand residents live on the islands; many of them commute to the mainland "
    "for work and school and have campaigned for a reliable service for years.</p>"
    "</article></body></html>"
)

# the extraction libraries and their data: tens of MB that only extraction workers need
HEAVY = ("trafilatura", "htmldate", "dateparser", "justext", "py3langid", "extruct")


def test_crawl_and_replay_processes_do_not_load_the_extractor() -> None:
    code = (
        "import json, sys\n"
        "import crawler.run_crawl, crawler.settings, crawler.replay, crawler.spiders.news\n"
        "import crawler.addon, crawler.article_pipeline, pipelines.process, pipelines.workers\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))\n" % (HEAVY,)
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_replay_and_the_archive_library_do_not_load_scrapy() -> None:
    # replay reads WARCs and never fetches: importing Scrapy and Twisted cost it ~1 s of CPU and
    # ~50 MB before its first record
    code = (
        "import json, sys\n"
        "import archive.collection, archive.reader, archive.warc, archive.index, archive.wacz\n"
        "import crawler.cli, crawler.replay, crawler.report, archive.run\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_inline_pool_extracts_and_hashes() -> None:
    with ExtractionPool(workers=0) as pool:
        result = pool.extract(ARTICLE, "https://news.example.org/2024/ferry-link")
        assert pool.info == extractor_info()
    assert result.article is not None
    text = result.article["text"]
    assert result.article["published"] == "2024-03-05T10:00:00+00:00"
    assert result.article["content_hash"] == content_hash(text)
    assert result.article["simhash"] == simhash(text)


def test_pool_of_one_worker_gives_what_the_inline_pool_gives() -> None:
    url = "https://news.example.org/2024/ferry-link"
    with ExtractionPool(workers=0) as inline:
        expected = inline.extract(ARTICLE.encode("utf-8"), url)
    with ExtractionPool(workers=1) as pool:
        got = pool.submit(ARTICLE.encode("utf-8"), url).result(timeout=120)
        not_html = pool.extract(b"", url)
    assert got == expected
    assert not_html == Extraction(None, "error:empty-page")


@pytest.mark.parametrize("workers", [0, 1])
def test_workers_undo_the_codings_replay_leaves_on_a_body(workers: int) -> None:
    url = "https://news.example.org/2024/ferry-link"
    page = ARTICLE.encode("utf-8")
    stacked = zlib.compress(gzip.compress(page, mtime=0))  # gzip, then deflate: undone last first
    with ExtractionPool(workers=workers) as pool:
        expected = pool.extract(page, url)
        assert expected.article is not None
        assert pool.submit(gzip.compress(page), url, None, ("gzip",)).result(timeout=120) == expected
        assert pool.submit(stacked, url, None, ("gzip", "deflate")).result(timeout=120) == expected
        # binary behind a coding is found once decoded, and counted as the crawl counts it
        binary = gzip.compress(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(5000))
        assert pool.submit(binary, url, None, ("gzip",)).result(timeout=120) == Extraction(None, "skipped:binary")


def test_negative_workers_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        ExtractionPool(workers=-1)


def test_warm_up_page_goes_the_whole_way() -> None:
    # no date in the markup and no declared language: htmldate and the language model must
    # both be reached, or workers would load them (seconds, tens of MB) on their first pages
    from pipelines.extract import ArticleExtractor
    from pipelines.workers import _WARM_UP_PAGE

    result = ArticleExtractor().extract(_WARM_UP_PAGE, "http://warm-up.invalid/a")
    assert result.article is not None, result.reason
    assert result.article["language"] == "en"
    assert result.article["published"] is not None


def test_forkserver_preload_loads_every_date_locale_and_freezes_it() -> None:
    code = (
        "import gc, json\n"
        "from pipelines.workers import preload\n"
        "preload()\n"
        "from dateparser.languages.loader import default_loader\n"
        "print(json.dumps([len(default_loader._loaded_locales), gc.get_freeze_count()]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    locales, frozen = json.loads(out.stdout)
    assert locales > 100  # all of dateparser's, not just English
    assert frozen > 50_000  # the extractor's objects, out of the collector's reach


def test_warm_up_starts_before_the_pool_and_the_pool_uses_it() -> None:
    # a command starts the forkserver first thing, so its warm-up overlaps the command's own
    # start-up; the pool made later must fork its workers from that same forkserver. Asked of
    # multiprocessing and of the worker itself, not read from /proc's process table: that was
    # racy on a loaded machine (a child listed before its exec shows its parent's command line).
    code = (
        "import json, os, sys\n"
        "from multiprocessing import forkserver\n"
        "from pipelines.workers import ExtractionPool, start_warm_up\n"
        "start_warm_up()\n"
        "early = forkserver._forkserver._forkserver_pid\n"
        "alive = os.waitpid(early, os.WNOHANG) == (0, 0)  # our child, still running\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in HEAVY]\n"
        "with ExtractionPool(1) as pool:\n"
        "    worker_parent = pool._executor.submit(os.getppid).result()\n"
        "    article = pool.extract(ARTICLE, 'https://harbour.example/news/ferry-link-funded').article\n"
        "print(json.dumps([early, alive, worker_parent, loaded, bool(article)]))\n"
    )
    code = "HEAVY = %r\nARTICLE = %r\n" % (HEAVY, ARTICLE) + code
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    early, alive, worker_parent, loaded, extracted = json.loads(out.stdout)
    assert early and alive  # running before any pool existed
    assert worker_parent == early
    assert loaded == []  # the warm-up happens there, not here
    assert extracted
