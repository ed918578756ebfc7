"""Article-or-not decisions from structured data, URL shape and the extracted text."""

from __future__ import annotations

import pytest

from pipelines.classify import PageSignals, classify, site_page_kind, title_kind, url_kind


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://news.example/", "home"),
        ("https://news.example", "home"),
        ("https://news.example/en/", "home"),
        ("https://news.example/index.html", "home"),
        ("https://news.example/tag/climate/", "tag"),
        ("https://news.example/topics/elections", "tag"),
        ("https://news.example/author/jane-doe/", "author"),
        ("https://news.example/category/world/europe/", "listing"),
        ("https://news.example/world/page/3/", "listing"),
        ("https://news.example/world/?page=2", "listing"),
        ("https://news.example/search?q=ferry", "search"),
        ("https://news.example/?s=ferry", "search"),
        # stories, even under listing-like folders or with pagination leftovers
        ("https://news.example/2023/05/17/harbour-council-approves-new-ferry-link/", None),
        ("https://news.example/topics/elections/voters-head-to-the-polls-in-record-numbers", None),
        ("https://news.example/news/world-1.7287711", None),
        ("https://news.example/news_view.html?idx=8576&page=1", None),
        ("https://news.example/world/europe", None),
    ],
)
def test_url_kind(url: str, kind: str | None) -> None:
    assert url_kind(url) == kind


def test_jsonld_article_type_wins_over_url_shape() -> None:
    signals = PageSignals(url="https://news.example/tag/x/", article_type="NewsArticle")
    assert classify(signals) == (True, "article:jsonld-NewsArticle")


def test_jsonld_collection_page_is_not_an_article() -> None:
    signals = PageSignals(url="https://news.example/world/", jsonld_types=frozenset({"CollectionPage"}))
    assert classify(signals) == (False, "not-article:jsonld-CollectionPage")


def test_article_nested_in_a_listing_is_not_the_page() -> None:
    signals = PageSignals(
        url="https://news.example/world/",
        jsonld_types=frozenset({"ItemList"}),
        article_type="NewsArticle",
        article_is_top_level=False,
    )
    assert classify(signals) == (False, "not-article:jsonld-ItemList")


def test_url_shape_rules_out_before_extraction() -> None:
    assert classify(PageSignals(url="https://news.example/author/jane-doe/")) == (False, "not-article:author")
    assert classify(PageSignals(url="https://news.example/")) == (False, "not-article:home")
    assert classify(PageSignals(url="https://news.example/a/story-about-ferries-and-islands")) == (
        True,
        "article:pending",
    )


def test_too_short_text() -> None:
    signals = PageSignals(url="https://news.example/a/b-c-d-e", text_length=150, article_type="NewsArticle")
    assert classify(signals, min_text_length=200) == (False, "not-article:too-short")


def test_video_page_with_little_text() -> None:
    signals = PageSignals(url="https://news.example/v/b-c-d-e", og_type="video.other", text_length=300)
    assert classify(signals) == (False, "not-article:video")


def test_teaser_list_is_a_listing() -> None:
    base = PageSignals(url="https://news.example/world/weekly-roundup-of-the-news", text_length=900,
                       og_type="website")
    assert classify(PageSignals(**{**base.__dict__, "link_ratio": 0.8})) == (False, "not-article:listing")
    many_teasers = PageSignals(**{**base.__dict__, "teaser_links": 20, "longest_paragraph_words": 14})
    assert classify(many_teasers) == (False, "not-article:listing")
    prose = PageSignals(**{**base.__dict__, "teaser_links": 20, "longest_paragraph_words": 60})
    assert classify(prose) == (True, "article:text")


def test_og_article_with_enough_text() -> None:
    signals = PageSignals(url="https://news.example/x/y", og_type="article", text_length=900, link_ratio=0.9)
    assert classify(signals) == (True, "article:og-article")


def test_a_website_page_at_a_url_naming_no_story_is_not_an_article() -> None:
    from pipelines.classify import PageSignals, classify

    about = PageSignals(url="https://news.example/advertise/", og_type="website", text_length=2400,
                        link_ratio=0.05, longest_paragraph_words=80, teaser_links=2)
    assert classify(about) == (False, "not-article:og-website")
    story = PageSignals(url="https://news.example/world/eu-leaders-agree-on-budget", og_type="website",
                        text_length=2400, link_ratio=0.05, longest_paragraph_words=80, teaser_links=2)
    assert classify(story) == (True, "article:text")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://news.example/about-us/", "about"),
        ("https://news.example/ueber-uns", "about"),
        ("https://news.example/fr/qui-sommes-nous/", "about"),
        ("https://news.example/contact/index.html", "contact"),
        ("https://news.example/de/kontakt", "contact"),
        ("https://news.example/impressum/", "imprint"),
        ("https://news.example/mentions-legales", "imprint"),
        ("https://news.example/privacy-policy/", "privacy"),
        ("https://news.example/datenschutzerklaerung.html", "privacy"),
        ("https://news.example/team/jane-doe/", "profile"),
        ("https://news.example/redaktion/max-muster", "profile"),
        # stories that merely mention such words
        ("https://news.example/team/how-the-team-won-the-cup-final", None),
        ("https://news.example/world/contact-lost-with-research-vessel/", None),
        ("https://news.example/politics/privacy-bill-passes-the-senate", None),
    ],
)
def test_site_page_kind(url: str, kind: str | None) -> None:
    assert site_page_kind(url) == kind


def test_pages_about_the_site_are_not_articles_even_with_article_markup() -> None:
    # CMS templates print og:type=article, even NewsArticle, on every page
    for url, reason in [("https://news.example/impressum/", "not-article:imprint"),
                        ("https://news.example/contact-us/", "not-article:contact")]:
        assert classify(PageSignals(url=url, og_type="article", text_length=1500)) == (False, reason)
        assert classify(PageSignals(url=url, article_type="NewsArticle", text_length=1500))[0] is False
    # a profile folder gives way to a story's own JSON-LD article
    story = PageSignals(url="https://news.example/team/jane-doe/", article_type="NewsArticle")
    assert classify(story)[0] is True
    assert classify(PageSignals(url="https://news.example/team/jane-doe/", og_type="article",
                                text_length=1500)) == (False, "not-article:profile")


def test_schema_types_and_titles_of_site_pages() -> None:
    base = PageSignals(url="https://news.example/p/4711", og_type="article", text_length=1500)
    for types, reason in [({"AboutPage"}, "about"), ({"ContactPage"}, "contact"), ({"ProfilePage"}, "profile")]:
        signals = PageSignals(**{**base.__dict__, "jsonld_types": frozenset(types)})
        assert classify(signals) == (False, f"not-article:{reason}")
    person = PageSignals(**{**base.__dict__, "main_entity_type": "Person"})
    assert classify(person) == (False, "not-article:profile")
    for title, reason in [("Impressum", "imprint"), ("Privacy Policy", "privacy"), ("Über uns", "about"),
                          ("Contact us", "contact")]:
        assert classify(PageSignals(**{**base.__dict__, "title": title})) == (False, f"not-article:{reason}")
    assert title_kind("Contact lost with research vessel") is None
    assert classify(PageSignals(**{**base.__dict__, "title": "Privacy bill passes the Senate"}))[0] is True


def test_main_entity_type() -> None:
    from pipelines.classify import main_entity_type
    from pipelines.htmlload import parse_html
    from pipelines.structured import read_page_data

    def entity(*nodes: str) -> str | None:
        scripts = "".join(f'<script type="application/ld+json">{n}</script>' for n in nodes)
        tree = parse_html(f"<html><head>{scripts}</head><body><p>x</p></body></html>")
        assert tree is not None
        return main_entity_type(read_page_data(tree))

    person = '{"@type": "Person", "@id": "#p", "name": "Jane Doe"}'
    assert entity('{"@type": "ProfilePage", "mainEntity": {"@id": "#p"}}', person) == "Person"
    assert entity(person) == "Person"
    # an author listed beside the page, as CMSs do on articles without an Article node
    assert entity('{"@graph": [{"@type": "WebPage", "name": "Story"}, %s]}' % person) is None
    assert entity('{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle"}}') == "NewsArticle"
