"""The archive as a person sees it: a demo article rendered in headless Chromium live, through
pywb and through ReplayWeb.page over the collection's WACZ looks the same, styled and with its
images; after a conditional recrawl (304 revisits) ReplayWeb.page still shows the home page.

Screenshots are kept in $NEWSARCHIVE_SCREENSHOTS (with figures.json: the measured differences)
when that is set, e.g. `NEWSARCHIVE_SCREENSHOTS=docs/screenshots pytest tests/test_browser_replay.py`.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests import browser
from tests.browser import Difference, EmbeddingSite, Rendering
from tests.conftest import CrawlResult, crawl, run_newsarchive, running_wayback

# Same browser, same fonts, same page: a faithful replay differs from live by no more than
# antialiasing. A pixel counts as different when one of its channels is off by more than
# CHANNEL_THRESHOLD; at most MAX_DIFFERING of all pixels may. An unstyled page or one missing
# its lead image is tens of percent away (test_unstyled_or_imageless_rendering_is_too_far).
CHANNEL_THRESHOLD = 40
MAX_DIFFERING = 0.005

FIGURES: dict[str, dict[str, object]] = {}

pytestmark = pytest.mark.usefixtures("tools")


@pytest.fixture(scope="session")
def tools() -> None:
    """Chromium and ReplayWeb.page are there, or every test here skips (fails under CI) before
    any crawl starts."""
    browser.chromium_path()
    browser.replaywebpage_dir()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    kept = os.environ.get(browser.SCREENSHOTS_ENV)
    if kept and FIGURES:
        (Path(kept) / "figures.json").write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


@pytest.fixture(scope="module")
def article(demo_site) -> str:
    """The first article of the demo: a lead image, the site's stylesheet and font."""
    return str(demo_site.articles()[0].url)


@pytest.fixture(scope="module")
def collection(tools: None, demo_crawl: CrawlResult, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """A copy of the demo crawl (requisites on, as by default) this module may recrawl."""
    root = tmp_path_factory.mktemp("browser-collections")
    shutil.copytree(demo_crawl.path, root / demo_crawl.collection)
    return CrawlResult(root, demo_crawl.collection, 0, "", "")


@pytest.fixture(scope="module")
def embedding(tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddingSite]:
    with EmbeddingSite(tmp_path_factory.mktemp("embedding")) as site:
        yield site


@pytest.fixture(scope="module")
def live(tools: None, article: str, shots: Path) -> Rendering:
    rendering = browser.render("live", article, shots / "live.png")
    browser.keep_screenshot(rendering, "live")
    return rendering


def make_wacz(result: CrawlResult, out: Path) -> Path:
    proc = run_newsarchive("wacz", result.collection, "--root", str(result.root), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def note(name: str, rendering: Rendering, diff: Difference | None = None) -> None:
    FIGURES[name] = {"seconds": round(rendering.seconds, 1)}
    if diff is not None:
        FIGURES[name].update(differing_pixels=diff.differing, fraction=round(diff.fraction, 6),
                             max_channel_difference=diff.max_channel, summary=str(diff))


def assert_renders_like(archived: Rendering, original: Rendering, live_site: str) -> Difference:
    """`archived` has everything it asked for, the same stylesheets, fonts and images as
    `original`, and a screenshot within the tolerance of the original's; nothing of it came from
    the live site."""
    escaped = archived.requests_to(live_site)
    assert not escaped, "%s rendering fetched from the live site: %s" % (archived.name, escaped)
    said = archived.problems()
    assert not said, "%s rendering is not styled with its images:\n  %s" % (archived.name, "\n  ".join(said))
    facts, before = archived.facts, original.facts
    assert facts["title"] == before["title"]
    assert archived.styled_sheets == original.styled_sheets, (facts["sheets"], before["sheets"])
    assert sorted(facts["fonts_loaded"]) == sorted(before["fonts_loaded"])
    assert [i["width"] for i in facts["images"]] == [i["width"] for i in before["images"]]
    assert len(facts["backgrounds"]) == len(before["backgrounds"])
    diff = browser.compare(original.screenshot, archived.screenshot, CHANNEL_THRESHOLD)
    note(archived.name, archived, diff)
    assert diff.fraction <= MAX_DIFFERING, "%s vs %s: %s (at most %.2f%% allowed)" % (
        archived.name, original.name, diff, 100 * MAX_DIFFERING)
    return diff


def test_the_live_article_is_styled_with_its_images(live: Rendering) -> None:
    """The reference itself: the demo article has a stylesheet, a web font and a lead image."""
    note("live", live)
    assert not live.problems(), "\n".join(live.problems())
    assert live.facts["images"] and live.facts["fonts_loaded"] and live.styled_sheets
    assert live.facts["text_length"] > 500


@pytest.mark.parametrize("block", [("stylesheet", "font"), ("image",)], ids=["unstyled", "imageless"])
def test_unstyled_or_imageless_rendering_is_too_far_from_live(
    live: Rendering, article: str, shots: Path, block: tuple[str, ...]
) -> None:
    """The comparison can fail: the live article with its CSS and font, or its images, refused
    is beyond the tolerance, and its own facts say what is missing."""
    name = "live-without-" + "-".join(block)
    broken = browser.render(name, article, shots / (name + ".png"), block=block)
    diff = browser.compare(live.screenshot, broken.screenshot, CHANNEL_THRESHOLD)
    note(name, broken, diff)
    assert diff.fraction > MAX_DIFFERING * 10, "%s: %s" % (name, diff)
    assert broken.problems()


def test_pywb_shows_the_article_as_it_was_live(
    live: Rendering, article: str, demo_site, collection: CrawlResult, embedding: EmbeddingSite,
    shots: Path, tmp_path: Path
) -> None:
    with running_wayback(collection.root, tmp_path / "wayback") as base:
        # the latest capture (a date after it), framed as pywb frames its mp_ pages
        page = embedding.frame("%s%s/29991231mp_/%s" % (base, collection.collection, article), "pywb")
        rendering = browser.render_embedded("pywb", page, article, shots / "pywb.png")
    browser.keep_screenshot(rendering, "pywb")
    assert_renders_like(rendering, live, demo_site.url)


def test_replaywebpage_shows_the_article_as_it_was_live(
    live: Rendering, article: str, demo_site, collection: CrawlResult, embedding: EmbeddingSite,
    shots: Path, tmp_path: Path
) -> None:
    wacz = make_wacz(collection, tmp_path / "demo.wacz")
    page = embedding.replaywebpage(wacz, article, "first")
    rendering = browser.render_embedded("replaywebpage", page, article, shots / "replaywebpage.png")
    browser.keep_screenshot(rendering, "replaywebpage")
    assert_renders_like(rendering, live, demo_site.url)


def test_a_crawl_without_requisites_replays_unstyled_in_replaywebpage(
    live: Rendering, article: str, demo_site, embedding: EmbeddingSite, shots: Path, tmp_path: Path
) -> None:
    """The archived renderings are judged on what the archive holds: with --no-requisites the
    same article in ReplayWeb.page misses its stylesheet, font and images, and fails the check."""
    bare = crawl(demo_site.url, tmp_path, "bare", "--no-requisites")
    assert bare.returncode == 0, bare.stderr[-3000:]
    wacz = make_wacz(bare, tmp_path / "bare.wacz")
    rendering = browser.render_embedded("replaywebpage-no-requisites", embedding.replaywebpage(
        wacz, article, "no-requisites"), article, shots / "no-requisites.png")
    assert rendering.facts["title"] == live.facts["title"]  # the page itself is there
    said = rendering.problems()
    assert "no external stylesheet with rules applied" in said and "no web font loaded" in said, said
    assert any(s.startswith("image ") for s in said), said
    diff = browser.compare(live.screenshot, rendering.screenshot, CHANNEL_THRESHOLD)
    note(rendering.name, rendering, diff)
    assert diff.fraction > MAX_DIFFERING * 10, str(diff)


def not_modified_urls(warc: Path) -> set[str]:
    with open(warc, "rb") as fh:
        return {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                if r.rec_type == "revisit" and r.http_headers and r.http_headers.get_statuscode() == "304"}


def test_after_a_conditional_recrawl_replaywebpage_shows_the_home_page_and_the_article(
    live: Rendering, article: str, demo_site, collection: CrawlResult, embedding: EmbeddingSite,
    shots: Path, tmp_path: Path
) -> None:
    """The 304 revisits of the second run stay in its WARC, but the WACZ replays the last full
    capture of each URL: the home page is not blank."""
    recrawl = crawl(demo_site.url, collection.root, collection.collection, "--conditional")
    assert recrawl.returncode == 0, recrawl.stderr[-3000:]
    latest = sorted((recrawl.path / "archive").glob("*.warc.gz"))[-1]
    assert demo_site.url in not_modified_urls(latest), "the home page was not answered 304"
    wacz = make_wacz(recrawl, tmp_path / "recrawl.wacz")

    home_live = browser.render("home-live", demo_site.url, shots / "home-live.png")
    note("home-live", home_live)
    assert home_live.facts["text_length"] > 500 and not home_live.problems(), home_live.problems()
    home = browser.render_embedded("replaywebpage-home-after-304", embedding.replaywebpage(
        wacz, demo_site.url, "home-after-304"), demo_site.url, shots / "home-after-304.png")
    browser.keep_screenshot(home, "replaywebpage-home-after-recrawl")
    assert home.facts["text_length"] > 500, "ReplayWeb.page shows the home page blank after the 304"
    assert_renders_like(home, home_live, demo_site.url)

    again = browser.render_embedded("replaywebpage-article-after-304", embedding.replaywebpage(
        wacz, article, "article-after-304"), article, shots / "article-after-304.png")
    assert_renders_like(again, live, demo_site.url)
