"""Body text rules on small hand-made pages: split bodies, in-body boxes, media captions, tails."""

from __future__ import annotations

import pytest

from pipelines.bodytext import Paragraph, join_split_body
from pipelines.boilerplate import drop_link_lists, is_boilerplate
from pipelines.extract import ArticleExtractor
from pipelines.htmlload import parse_html

URL = "https://daily.example/2024/05/02/harbour-ferry-link-approved"
PROSE = "The council voted on Tuesday to fund the new ferry link for the islands, ending years of delay."


@pytest.fixture(scope="module")
def extractor() -> ArticleExtractor:
    return ArticleExtractor()


def _paragraphs(label: str, count: int) -> str:
    return "".join(f"<p>{PROSE} {label}, paragraph {i}.</p>" for i in range(count))


def _page(body: str) -> str:
    return (
        "<html><head><title>Ferry link approved</title></head><body>"
        f"<h1>Ferry link approved</h1>{body}</body></html>"
    )


def test_body_chunks_in_nested_layout_rows_come_back_in_order(extractor: ArticleExtractor) -> None:
    # two levels of split: the row wrappers and the body containers inside them, whose
    # classes differ only by a modifier token
    def row(label: str, count: int, modifier: str) -> str:
        return (
            '<div class="grid"><div class="col main"><div class="article-content">'
            f'<div class="text articleBody {modifier}">{_paragraphs(label, count)}</div>'
            '</div></div><div class="col rail"><p>Advertisement</p></div></div>'
        )

    html = _page(row("Part one", 3, "-spaced") + row("Part two", 4, "") + row("Part three", 3, "-spaced"))
    article = extractor.extract(html, URL).article
    assert article is not None
    text = article["text"]
    for label, last in (("Part one", 2), ("Part two", 3), ("Part three", 2)):
        assert f"{label}, paragraph 0." in text and f"{label}, paragraph {last}." in text
    assert text.index("Part one, paragraph 2.") < text.index("Part two, paragraph 0.")
    assert text.index("Part two, paragraph 3.") < text.index("Part three, paragraph 0.")


def test_sibling_body_chunks_keep_what_lies_between_them_in_order(extractor: ArticleExtractor) -> None:
    html = _page(
        '<div class="story">'
        f'<div class="article-body">{_paragraphs("Part one", 3)}</div>'
        "<h2>What happens next</h2>"
        f'<div class="article-body">{_paragraphs("Part two", 3)}</div>'
        "</div>"
    )
    tree = parse_html(html)
    assert join_split_body(tree) == 2  # the heading and the second chunk
    article = extractor.extract(html, URL).article
    assert article is not None
    text = article["text"]
    assert text.index("Part one, paragraph 2.") < text.index("What happens next")
    assert text.index("What happens next") < text.index("Part two, paragraph 0.")


def test_sibling_chunks_a_body_finder_does_not_pick_are_left_alone() -> None:
    html = _page(
        '<div class="story">'
        f'<div class="block">{_paragraphs("Part one", 3)}</div>'
        f'<div class="block">{_paragraphs("Part two", 3)}</div>'
        "</div>"
    )
    assert join_split_body(parse_html(html)) == 0


def _p(text: str, kind: str = "p", links: float = 0.0) -> Paragraph:
    return Paragraph(text, kind, int(len(text) * links))


@pytest.mark.parametrize(
    "text",
    [
        "Neben Raketen und Drohnen ist das Atomprogramm die größte Bedrohung. 21.04.2024 | 3:18 min",
        "The mayor explains the plan in a short interview | 2:05 min",
        "This is a breaking new story - more to follow",
        "Join thought-provoking conversations, follow other readers and see their replies",
    ],
)
def test_media_captions_and_reader_prompts_are_boilerplate(text: str) -> None:
    assert is_boilerplate(_p(text))


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        "The ferry runs every 20 minutes | 5 stops on the way",  # a number and a bar, no clip length
        "Join us, said the mayor, as the first ferry left the harbour on Tuesday morning.",
    ],
)
def test_prose_is_not_taken_for_a_caption_or_prompt(text: str) -> None:
    assert not is_boilerplate(_p(text))


def test_teaser_list_after_the_story_goes_even_with_partly_linked_entries() -> None:
    teasers = [
        _p("The strange life of a harbour pilot", "item", 0.6),
        _p("How the islands voted on the new tunnel", "item", 0.45),
        _p("Why ferries are late in winter", "item", 0.4),
        _p("A guide to the best island walks", "item", 0.35),
        _p(
            "Want the best gear for the crossing? Check out our team's picks for rain jackets, boots, "
            "bags and the warmest hats we could find for the winter season.",
            "item",
            0.4,
        ),
    ]
    kept = drop_link_lists([_p(PROSE), _p(PROSE), *teasers])
    assert [p.text for p in kept] == [PROSE, PROSE]


def test_a_plain_list_closing_the_story_stays() -> None:
    items = [_p(f"Stop {i}: the harbour, the school and the market", "item") for i in range(4)]
    kept = drop_link_lists([_p(PROSE), _p(PROSE), *items])
    assert len(kept) == 6


def test_seed_defects_comment_form_popular_box_and_linked_names_stay_out(extractor: ArticleExtractor) -> None:
    html = _page(
        '<div class="post-content">'
        f"<p>{PROSE}</p>"
        '<p>The plan was backed by <a class="author-link" href="/people/jane-doe">Jane Doe</a>, '
        "who chairs the harbour committee, and by most of the island councillors.</p>"
        f"<p>{PROSE} Work starts in spring.</p>"
        "</div>"
        '<div class="after"><h3>Most Popular</h3>'
        '<ul><li><a href="/a">Storm closes the bridge</a></li><li><a href="/b">Island school reopens</a></li></ul>'
        "<p>Please enter your comment!</p><p>Please enter your name here</p></div>"
    )
    article = extractor.extract(html, URL).article
    assert article is not None
    text = article["text"]
    assert "backed by Jane Doe, who chairs" in text
    assert "Please enter your comment!" not in text and "Most Popular" not in text
    assert "Storm closes the bridge" not in text
