"""Metadata fields: authors, dates, titles, language and how sources are fused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipelines.fields import clean_authors, language_code, normalize_date, strip_title_affixes
from pipelines.htmlload import decode_html, parse_html
from pipelines.language import LanguageGuesser
from pipelines.metadata import PageMetadata
from pipelines.structured import read_page_data


@pytest.mark.parametrize(
    ("raw", "exclude", "expected"),
    [
        (["By Jane Doe and John Smith"], [], ["Jane Doe", "John Smith"]),
        (["Jane Doe, John Smith & Ann Lee"], [], ["Jane Doe", "John Smith", "Ann Lee"]),
        (["Jane Doe - Staff Writer"], [], ["Jane Doe"]),
        (["Jane Doe, Reporter"], [], ["Jane Doe"]),
        (["Jane Doe (Reuters)"], [], ["Jane Doe"]),
        (["Von Max Müller und Eva Schmid"], [], ["Max Müller", "Eva Schmid"]),
        (["Text: Eva Schmid"], [], ["Eva Schmid"]),
        (["Jane Doe", "jane doe", "JANE DOE"], [], ["Jane Doe"]),
        (["Daily Example", "Jane Doe"], ["Daily Example"], ["Jane Doe"]),
        (["jane@example.com", "https://x.example/jane", "staff"], [], []),
        (["Marco De Luca"], [], ["Marco De Luca"]),
    ],
)
def test_clean_authors(raw: list[str], exclude: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, exclude) == expected


NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-08-08T08:00:00+00:00", "2024-08-08T08:00:00+00:00"),
        ("2024-08-08T08:00:00Z", "2024-08-08T08:00:00+00:00"),
        ("2024-08-08T08:00:00.000+0200", "2024-08-08T08:00:00+02:00"),
        ("2024-08-08 08:00:00", "2024-08-08"),  # no offset: the date is all we can vouch for
        ("2024-08-08", "2024-08-08"),
        ("20240808", "2024-08-08"),
        ("Thu, 08 Aug 2024 10:00:00 +0200", "2024-08-08T10:00:00+02:00"),
        ("2030-01-01", None),  # future
        ("1970-01-01", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_normalize_date(raw: str, expected: str | None) -> None:
    assert normalize_date(raw, now=NOW) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Big news today | Daily Example", "Big news today"),
        ("Big news today - Daily Example", "Big news today"),
        ("Big news today – dailyexample.com", "Big news today"),
        ("Daily Example | Big news today", "Big news today"),
        ("Big news today - Politics - Daily Example", "Big news today - Politics"),
        ("Left - right: a guide", "Left - right: a guide"),
        ("Daily Example: the big interview", "Daily Example: the big interview"),
    ],
)
def test_strip_title_affixes(title: str, expected: str) -> None:
    assert strip_title_affixes(title, ["Daily Example", "dailyexample.com"]) == expected


def test_language_code() -> None:
    assert [language_code(v) for v in ("en-US", "de_DE", "FR", "x", None, "zh-Hans")] == [
        "en", "de", "fr", None, None, "zh",
    ]
    guessed, _ = LanguageGuesser().guess("Der Stadtrat hat am Dienstag beschlossen, neue Radwege anzulegen.")
    assert guessed == "de"


def metadata(html: str, url: str = "https://daily.example/a/story-one-two-three") -> PageMetadata:
    tree = parse_html(decode_html(html))
    assert tree is not None
    return PageMetadata(tree, read_page_data(tree), url)


def test_jsonld_beats_meta_and_modified_is_not_published() -> None:
    meta = metadata(
        """<html><head>
        <meta property="article:published_time" content="2020-01-01T00:00:00Z">
        <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Real &amp; right",
          "dateModified": "2021-05-05", "datePublished": "2021-05-04T10:00:00+02:00"}</script>
        </head><body><p>x</p></body></html>"""
    )
    assert meta.title() == "Real & right"
    assert meta.published() == "2021-05-04T10:00:00+02:00"
    assert meta.modified() == "2021-05-05"


def test_og_title_is_the_headline_and_a_bare_site_name_is_not() -> None:
    meta = metadata(
        """<html><head><meta property="og:site_name" content="Daily Example">
        <meta property="og:title" content="Ferry link approved | Daily Example">
        <script type="application/ld+json">{"@type": "NewsArticle",
          "headline": "Ferry link between the islands approved after ten-year campaign"}</script>
        </head><body><h1>Ferry link between the islands approved</h1></body></html>"""
    )
    assert meta.title() == "Ferry link approved"
    assert meta.headlines() == [
        "Ferry link approved",
        "Ferry link between the islands approved after ten-year campaign",
        "Ferry link between the islands approved",
    ]
    only_site = metadata(
        """<html><head><meta property="og:site_name" content="Daily Example">
        <meta property="og:title" content="Daily Example"><title>Ferry link approved</title>
        </head><body></body></html>"""
    )
    assert only_site.title() == "Ferry link approved"


def test_heuristic_date_when_structured_data_is_silent() -> None:
    meta = metadata(
        """<html><head><title>Story</title></head><body><h1>Story</h1>
        <p class="date">Published 4 May 2021</p><p>Nothing else dated here.</p></body></html>""",
        url="https://daily.example/2021/05/04/story-one-two-three",
    )
    assert meta.published() == "2021-05-04"
    assert meta.modified() is None


def test_time_element_and_canonical_on_other_host() -> None:
    meta = metadata(
        """<html><head><link rel="canonical" href="https://syndicator.example/copy">
        <meta property="og:url" content="/a/story-one-two-three?ref=og"></head>
        <body><time itemprop="datePublished" datetime="2022-03-04T05:06:07+01:00">4 March</time>
        </body></html>"""
    )
    assert meta.published() == "2022-03-04T05:06:07+01:00"
    assert meta.url() == "https://daily.example/a/story-one-two-three?ref=og"


def test_keywords_string_and_image_list() -> None:
    meta = metadata(
        """<html><head><script type="application/ld+json">{"@type": "Article",
        "keywords": "ferries, islands ,Ferries", "image": ["https://daily.example/i.jpg", "x.jpg"],
        "author": {"@type": "Organization", "name": "Daily Example"}}</script></head><body></body></html>"""
    )
    assert meta.tags() == ["ferries", "islands"]
    assert meta.image() == "https://daily.example/i.jpg"
    assert meta.authors() == []


def test_byline_links_to_author_pages_after_the_headline() -> None:
    meta = metadata(
        """<html><head><meta name="author" content="Daily"></head><body>
        <aside><a href="/author/someone-else">Someone Else</a></aside>
        <h1>Ferry link approved</h1>
        <p class="meta">von <a href="/autoren/name/max-kolter">Dr. Max Kolter</a> und
        <a href="/autoren/name/eva-ruiz">Eva Ruiz</a></p>
        <p>Text of the story goes here and is long enough to be a paragraph.</p>
        <div class="teaser"><h2>Other story</h2><a href="/author/tom-lee">Tom Lee</a></div>
        </body></html>"""
    )
    assert meta.authors() == ["Dr. Max Kolter", "Eva Ruiz"]


def test_title_cut_where_another_source_agrees_and_dated_titles() -> None:
    meta = metadata(
        """<html><head><title>Ferry link approved | Local | Daily | 28.04.2023</title>
        <meta property="og:title" content="Ferry link approved | Local"></head>
        <body><h1>Ferry link approved</h1></body></html>"""
    )
    assert meta.title() == "Ferry link approved"
    assert meta.published() == "2023-04-28"


def test_title_mojibake_repaired() -> None:
    meta = metadata(
        """<html><head><meta property="og:title" content="Tarif jetzt fÃ¼r nur 5 Euro"></head>
        <body></body></html>"""
    )
    assert meta.title() == "Tarif jetzt für nur 5 Euro"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Quelle: dpa"], []),  # a source credit under the text, not a byline
        (["Jane Doe, dpa"], ["Jane Doe", "dpa"]),
        (["Jane Doe (Reuters)"], ["Jane Doe"]),  # her employer, not a second author
        (["sid/dpa"], ["sid", "dpa"]),
        (["Reuters staff"], ["Reuters"]),
        (["example.com, Frankfurt, Germany"], []),
        (["Associated Press in Valencia"], ["Associated Press"]),
        (["Guardian staff reporter"], []),
        (["Harbour Daily Post Staff"], []),  # a newsroom credited as a whole is the publisher
        (["Reuters Staff"], ["Reuters"]),
        (["Nachrichten"], []),  # "news": a section, not a name
    ],
)
def test_agencies_are_kept_sources_and_places_are_not(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, ["The Guardian", "Japan Daily"]) == expected


def _page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


_AGENCY_ORG = '<script type="application/ld+json">{"@type": "NewsArticle", "author": %s}</script>'


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # an agency credited alone is the author, whether typed Person or Organization
        (_page(_AGENCY_ORG % '{"@type": "Organization", "name": "AFP"}'), ["AFP"]),
        (_page(_AGENCY_ORG % '{"@type": "Person", "name": "dpa "}'), ["dpa"]),
        (_page('<meta name="author" content="Associated Press">'), ["Associated Press"]),
        # people and the agency named with them in one byline
        (_page(_AGENCY_ORG % '[{"@type": "Person", "name": "AP"}, {"@type": "Person", "name": "Eva Ruiz"}]'),
         ["AP", "Eva Ruiz"]),
        # a person named anywhere wins over an agency-only credit elsewhere
        (_page(_AGENCY_ORG % '{"@type": "Organization", "name": "Reuters"}',
               '<h1>Ferries</h1><p>by <a href="/author/eva-ruiz">Eva Ruiz</a></p>'), ["Eva Ruiz"]),
        # the publisher itself is not an author, even typed as a Person
        (_page(_AGENCY_ORG % '{"@type": "Person", "name": "Daily Example"}'
               + '<meta property="og:site_name" content="Daily Example">'), []),
        (_page(_AGENCY_ORG % '{"@type": "Organization", "name": "Daily Example News"}'), []),
    ],
)
def test_news_agency_as_author(page: str, expected: list[str]) -> None:
    assert metadata(page).authors() == expected


def test_declared_language_overruled_only_by_a_long_confident_text() -> None:
    german = (
        "Der Stadtrat hat am Dienstag beschlossen, in der Altstadt vier neue Radwege anzulegen. "
        "Die Arbeiten sollen im kommenden Frühjahr beginnen und bis zum Herbst abgeschlossen sein. "
    ) * 3
    guesser = LanguageGuesser()
    assert guesser.language("en", german) == "de"  # a template's lang="en" on a German story
    assert guesser.language("en", german[:150]) == "en"  # too little text to overrule
    assert guesser.language("nb", "Regjeringen la fram statsbudsjettet for neste år i dag. " * 10) == "nb"
    assert guesser.language(None, german) == "de"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a labelled byline without classes or author links
        ('<h1>Ferries</h1><ul><li><strong>Datum</strong> 28.04.2023</li>'
         "<li><strong>Autorin/Autor</strong> Eva Ruiz</li></ul>", ["Eva Ruiz"]),
        ("<h1>Ferries</h1><dl><dt>Author</dt><dd>Tom Lee</dd></dl>", ["Tom Lee"]),
        ('<h1>Ferries</h1><li>Von: <span><a href="/x/eva-ruiz">Eva Ruiz</a>, </span>'
         '<span><a href="/x/tom-lee">Tom Lee</a></span></li>', ["Eva Ruiz", "Tom Lee"]),
        # a link to a person's topic page inside a sentence is not a byline
        ("<h1>Ferries</h1><p>" + "The ferry will run all year. " * 8
         + 'Mayor <a href="/people/anna-berg.html">Anna Berg</a> welcomed the vote.</p>', []),
    ],
)
def test_labelled_bylines_and_names_in_running_text(body: str, expected: list[str]) -> None:
    assert metadata(_page("", body)).authors() == expected


def test_article_author_meta() -> None:
    assert metadata(_page('<meta name="articleAuthor" content="Anadolu Ajans&#x131;">')).authors() == [
        "Anadolu Ajansı"
    ]


def _kicker_page(og: str, headline: str, h1: str) -> str:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "%s"}</script>' % headline
    return _page(f'<meta property="og:title" content="{og}">{ld}', f"<h1>{h1}</h1>")


def test_kicker_dropped_only_where_the_visible_headline_and_another_source_lack_it() -> None:
    story = "Ferry link approved for the outer islands"
    # og:title carries a topic label the JSON-LD headline and the <h1> do not show
    assert metadata(_kicker_page(f"Islands | {story}", story, story)).title() == story
    # the page prints the label as part of its headline: it stays
    shown = metadata(_kicker_page(f"Islands / {story}", story, f"Islands {story}")).title()
    assert shown == f"Islands / {story}"
    # the metadata agree on the label and only the <h1> leaves it out (printed above it)
    agreed = metadata(_kicker_page(f"Islands: {story}", f"Islands: {story}", story)).title()
    assert agreed == f"Islands: {story}"
    # an empty <h1> around the logo is not the visible headline
    logo = _kicker_page(f"Islands | {story}", story, story).replace("<body>", '<body><h1><img src="l.png"></h1>')
    assert metadata(logo).title() == story
