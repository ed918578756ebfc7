"""Authors are people (and a news agency when it is the whole byline), never the publisher."""

from __future__ import annotations

import pytest

from pipelines.byline import is_site_account, strip_credit_tails
from pipelines.htmlload import decode_html, parse_html
from pipelines.metadata import PageMetadata
from pipelines.structured import read_page_data

_LD = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferries", "author": %s}</script>'
_SITE = '<meta property="og:site_name" content="Daily Example">'
_PROSE = "<p>" + "The ferry link to the outer islands will run all year from next spring. " * 4 + "</p>"


def authors(head: str, body: str = "", url: str = "https://daily.example/a/ferries-all-year") -> list[str]:
    tree = parse_html(decode_html(f"<html><head>{head}</head><body>{body}</body></html>"))
    assert tree is not None
    return PageMetadata(tree, read_page_data(tree), url).authors()


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        # a type list naming Person is a person, whatever else it lists
        ('{"@type": ["Person", "Organization"], "name": "Eva Ruiz"}', ["Eva Ruiz"]),
        ('[{"@type": ["Organization", "Person"], "name": "Eva Ruiz"}, {"@type": "Person", "name": "Tom Lee"}]',
         ["Eva Ruiz", "Tom Lee"]),
        # an organization alone is still not a person
        ('{"@type": "Organization", "name": "Eva Ruiz Holdings"}', []),
    ],
)
def test_jsonld_type_list_with_person(author: str, expected: list[str]) -> None:
    assert authors(_LD % author) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jonas Petraitis, Professor at Vilnius University, Example.lt", "Jonas Petraitis"),
        ("Troy L. Smith, Example.com", "Troy L. Smith"),
        ("Anna Berg, Director of the Sea Institute", "Anna Berg"),
        # several people, or a person and an agency, keep their comma
        ("Jane Doe, John Smith", "Jane Doe, John Smith"),
        ("Jane Doe, dpa", "Jane Doe, dpa"),
        ("Jane Doe, Juan de la Cruz", "Jane Doe, Juan de la Cruz"),
        ("Jane Doe, Tom Schefer", "Jane Doe, Tom Schefer"),
        # editor credits are cut off, and alone they are no byline
        ("By Jane Doe | Edited by Tom Lee", "By Jane Doe"),
        ("Jane Doe; Editor: Tom Lee", "Jane Doe"),
        ("Edited by Tom Lee", None),
    ],
)
def test_strip_credit_tails(raw: str, expected: str | None) -> None:
    assert strip_credit_tails(raw) == expected


def test_affiliation_tail_in_metadata_gives_the_name() -> None:
    head = _LD % '{"@type": "Person", "name": "Jonas Petraitis, Professor at Vilnius University, Example.lt"}'
    assert authors(head) == ["Jonas Petraitis"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Daily Example D", True), ("Daily Example Desk", True), ("daily example", True),
     ("Daily Example Smith", False), ("Jane Doe", False), ("Daily", False)],
)
def test_site_accounts(name: str, expected: bool) -> None:
    assert is_site_account(name, ["Daily Example"]) is expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # metadata names the publisher (typed Person) and the byline under the headline a person
        (_SITE + _LD % '{"@type": "Person", "name": "Daily Example"}',
         '<h1>Ferries</h1><div class="byline">By Eva Ruiz</div>' + _PROSE, ["Eva Ruiz"]),
        # a site account ("by Daily Example D") is no person: the visible byline is
        (_SITE + '<meta name="author" content="Daily Example D">',
         '<h1>Ferries</h1><p class="meta">Von <a href="/autor/tom-lee">Tom Lee</a></p>' + _PROSE, ["Tom Lee"]),
        # a signature line closing the article text
        (_SITE + '<meta name="author" content="Daily Example">',
         "<h1>Ferries</h1><div>" + _PROSE * 2 + "<p>Eva Ruiz</p></div>", ["Eva Ruiz"]),
        ("", "<h1>Ferries</h1><div>" + _PROSE * 2 + "<p>— Eva Ruiz / dpa</p></div>", ["Eva Ruiz", "dpa"]),
        # an agency credited in metadata gives way to the person signing the text
        ('<meta name="author" content="AFP">', "<h1>Ferries</h1><div>" + _PROSE + "<p>Tom Lee</p></div>",
         ["Tom Lee"]),
        # a short last line that is no name, or a footer line after no prose, signs nothing
        ("", "<h1>Ferries</h1><div>" + _PROSE + "<p>Alle Angaben ohne Gewähr</p></div>", []),
        ("", "<h1>Ferries</h1><div><p>Imprint</p><p>Eva Ruiz</p></div>", []),
    ],
)
def test_visible_byline_beats_publisher_only_metadata(head: str, body: str, expected: list[str]) -> None:
    assert authors(head, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the editor credit comes first on the page; the byline is the author
        ('<h1>Ferries</h1><div class="author">Editor: Tom Lee</div><div class="byline">By Eva Ruiz</div>',
         ["Eva Ruiz"]),
        ('<h1>Ferries</h1><div class="byline">By Eva Ruiz, edited by Tom Lee</div>', ["Eva Ruiz"]),
        # follow and topic buttons are never bylines
        ('<h1>Ferries</h1><div class="author-follow">Tom Lee Folgen</div><div class="byline">Von Eva Ruiz</div>',
         ["Eva Ruiz"]),
        ('<h1>Ferries</h1><a href="/author/tom-lee">Follow Tom Lee</a>'
         '<p>By <a href="/author/eva-ruiz">Eva Ruiz</a></p>', ["Eva Ruiz"]),
        ('<h1>Ferries</h1><div class="author-box">Mehr von Tom Lee</div>', []),
    ],
)
def test_editor_credits_and_follow_widgets_are_not_bylines(body: str, expected: list[str]) -> None:
    assert authors(_SITE, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # editors' initials after the text, with other credits on the same line
        ("<div>" + _PROSE + "<span>ssi, dan; Foto [M]: Example Images; Erstveröffentlichung: 4.4.18</span></div>",
         ["ssi", "dan"]),
        # an agency with its regional desk code: the agency alone, and it is no person
        ("<div>" + _PROSE + "<span>(dpa/lnw)</span></div>", []),
        ("<div>" + _PROSE + "<em>(ssi)</em></div>", ["ssi"]),
        # a line of anything else signs nothing
        ("<div>" + _PROSE + "<span>mehr zum thema</span></div>", []),
        ("<div>" + _PROSE + '<a href="/x">mehr</a></div>', []),
        ("<div>" + _PROSE + "<h3>Related Articles</h3></div>", []),
        ("<div>" + _PROSE + '<div class="share-row">Share This</div></div>', []),
    ],
)
def test_signature_initials(body: str, expected: list[str]) -> None:
    assert authors(_SITE, "<h1>Ferries</h1>" + body) == expected


def _cards(*names: str) -> str:
    return "".join(
        f'<div class="card"><address><a rel="author" href="mailto:{n[0]}@daily.example">'
        f"<span>{n.split()[0]}</span> <span>{n.split()[1]}</span></a></address></div>"
        for n in names
    )


def test_visible_byline_completes_metadata_naming_one_of_its_people() -> None:
    head = _LD % '{"@type": "Person", "name": "Tom Lee"}'
    both = f"<h1>Ferries</h1><section>{_cards('Eva Ruiz', 'Tom Lee')}</section>" + _PROSE
    assert authors(head, both) == ["Eva Ruiz", "Tom Lee"]
    # a visible byline naming someone else does not replace the metadata
    other = f"<h1>Ferries</h1><section>{_cards('Eva Ruiz', 'Ann Berg')}</section>" + _PROSE
    assert authors(head, other) == ["Tom Lee"]
