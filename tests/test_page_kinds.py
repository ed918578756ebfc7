"""Pages about the site and its staff (about us, contact, imprint, privacy, profiles) are no items."""
from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html

from demosite import site_pages
from demosite.routes import Router
from tests.conftest import CrawlResult

SITE_PAGE_REASONS = {"about", "contact", "imprint", "privacy", "profile"}


def test_a_demo_crawl_makes_no_item_of_pages_about_the_site(demo_crawl: CrawlResult) -> None:
    router = Router("http://127.0.0.1:1/")
    site_paths = {"/about/", *site_pages.paths(router.content)}
    assert len(site_paths) == 6
    items = demo_crawl.items()
    assert items and not {urlsplit(i["url"]).path for i in items} & site_paths
    assert all(urlsplit(i["url"]).path in router.content.by_path for i in items)
    (report,) = demo_crawl.reports()
    (figures,) = report["sites"].values()
    reasons = figures["not_articles"]
    # each was fetched and judged, not missed: one page per kind, two profiles
    assert {k: reasons.get(k) for k in SITE_PAGE_REASONS} == {
        "about": 1, "contact": 1, "imprint": 1, "privacy": 1, "profile": 2}


def test_the_site_pages_look_like_articles_to_a_naive_reader(demo_site) -> None:
    # prose enough to pass for a story, and article markup on most: the test above can fail
    router = demo_site.router
    og_article = 0
    for path in site_pages.paths(router.content):
        response = router.route(path)
        assert response.status == 200
        body = response.body.decode()
        og_article += 'property="og:type" content="article"' in body
        prose = [p.text_content() for p in lxml.html.fromstring(body).iter("p")]
        assert sum(len(p) for p in prose if len(p.split()) >= 30) > 700, path
    assert og_article >= 4


def test_demo_items_carry_their_visible_tags(demo_crawl) -> None:
    """Half the demo's articles show a tag list and declare no tags in metadata: all get tags."""
    items = demo_crawl.items()
    assert items and all(item["tags"] for item in items)
