"""ArticleExtractor on small hand-written pages: text shape, boilerplate, fields, failures."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipelines.bodytext import Paragraph, join_split_body, prune_hidden
from pipelines.boilerplate import (
    drop_bylines,
    drop_link_lists,
    drop_title,
    drop_widget_sections,
    is_boilerplate,
)
from pipelines.extract import (
    ARTICLE_KEYS,
    EXTRACTOR_NAME,
    ArticleExtractor,
    Extraction,
    ExtractOptions,
)
from pipelines.fields import same_name
from pipelines.htmlload import parse_html

DATA = Path(__file__).parent / "data" / "extract"
TAGDIV_URL = "https://coastal-ledger.example/2023/05/17/harbour-council-approves-new-ferry-link/?utm_source=feed"


@pytest.fixture(scope="module")
def extractor() -> ArticleExtractor:
    return ArticleExtractor()


def page(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture(scope="module")
def tagdiv(extractor: ArticleExtractor) -> Extraction:
    return extractor.extract(page("tagdiv_wordpress.html"), TAGDIV_URL)


def test_article_has_exactly_the_contract_keys(tagdiv: Extraction) -> None:
    assert tagdiv.article is not None
    assert tuple(tagdiv.article) == ARTICLE_KEYS
    assert tagdiv.reason.startswith("article:")


def test_names_in_inline_elements_stay_in_their_sentence(tagdiv: Extraction) -> None:
    text = tagdiv.article["text"]
    lines = text.split("\n")
    for sentence_start, name in [
        ("Council leader Miriam Castellanos and harbour master Piotr Wisniewski presented", "Miriam"),
        ("The vote was close, said councillor Jonas Lindqvist, who had opposed", "Jonas"),
        ("Residents on the largest island welcomed the decision. Aoife Brennan, who runs", "Aoife"),
    ]:
        assert [line for line in lines if name in line] == [
            line for line in lines if line.startswith(sentence_start)
        ]
        assert any(line.startswith(sentence_start) for line in lines), sentence_start


def test_inline_author_class_mid_sentence_is_not_deleted(tagdiv: Extraction) -> None:
    # tagDiv's <span class="td-author-name"> inside a paragraph: trafilatura alone drops it
    assert "said councillor Jonas Lindqvist, who had opposed" in tagdiv.article["text"]


def test_paragraphs_are_separated_by_one_blank_line(tagdiv: Extraction) -> None:
    text = tagdiv.article["text"]
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 7
    assert "\n\n\n" not in text and text == text.strip()
    assert all(p.strip() == p and p for p in paragraphs)
    assert "What happens next" in paragraphs  # subheading kept as its own paragraph


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Please enter your comment",
        "Please enter your name here",
        "LEAVE A REPLY",
        "incorrect email",
        "Save my name",
        "Most Popular",
        "Recent Comments",
        "Advertisment",
        "Share",
        "Facebook",
        "Read more",
        "Port fees rise",
        "Market hall reopens",
        "TAGS",
        "All rights reserved",
        "Home",
    ],
)
def test_no_boilerplate_in_text(tagdiv: Extraction, boilerplate: str) -> None:
    assert boilerplate.lower() not in tagdiv.article["text"].lower()


def test_headline_and_byline_are_fields_not_text(tagdiv: Extraction) -> None:
    article = tagdiv.article
    assert article["title"] == "Harbour Council Approves New Ferry Link to the Islands"
    assert article["authors"] == ["Hannah Okafor"]
    assert not article["text"].startswith("Harbour Council")
    assert "Hannah Okafor" not in article["text"]


def test_tagdiv_fields(tagdiv: Extraction) -> None:
    article = tagdiv.article
    # canonical link, tracking parameters are someone else's business
    assert article["url"] == "https://coastal-ledger.example/2023/05/17/harbour-council-approves-new-ferry-link/"
    assert article["published"] == "2023-05-17T09:30:00+02:00"
    assert article["modified"] == "2023-05-18T11:00:00+02:00"
    assert article["language"] == "en"
    assert article["site_name"] == "The Coastal Ledger"
    assert article["tags"] == ["Transport", "Islands"]
    assert article["word_count"] == len(article["text"].split())


def test_jsonld_news_article(extractor: ArticleExtractor) -> None:
    url = "https://www.northern-herald.example/science/glacier-study-finds-faster-melt-2041"
    result = extractor.extract(page("jsonld_newsarticle.html"), url)
    article = result.article
    assert result.reason == "article:jsonld-NewsArticle"
    assert article["title"] == "Glacier study finds faster melt in the north"
    # Organization dropped, "By" and role stripped, duplicate removed
    assert article["authors"] == ["Ingrid Solberg", "Tomasz Nowak"]
    assert article["published"] == "2024-02-03T07:15:00+01:00"
    assert article["modified"] == "2024-02-04T10:00:00+01:00"
    assert article["language"] == "en"
    assert article["site_name"] == "Northern Herald"
    assert article["tags"] == ["climate", "glaciers"]
    assert article["description"] == "Researchers measured three glaciers for a decade."
    assert article["image"] == "https://www.northern-herald.example/images/glacier-lead.jpg"
    assert article["url"] == url + "?utm_source=rss"
    assert article["text"].startswith("A ten-year study of three glaciers")
    assert article["text"].endswith("against the measurements.")
    assert "By Ingrid Solberg" not in article["text"]


def test_jsonld_graph_with_author_reference(extractor: ArticleExtractor) -> None:
    url = "https://stadtanzeiger.example/lokales/neue-radwege-fuer-die-altstadt/"
    result = extractor.extract(page("jsonld_graph.html"), url)
    article = result.article
    assert result.reason == "article:jsonld-Article"
    assert article["title"] == "Neue Radwege für die Altstadt"
    assert article["authors"] == ["Katrin Vogel"]
    assert article["published"] == "2022-09-14T06:00:00+00:00"
    assert article["language"] == "de"
    assert article["site_name"] == "Stadtanzeiger"
    assert article["text"].count("\n\n") == 2


def test_jsonld_string_author_is_split(extractor: ArticleExtractor) -> None:
    result = extractor.extract(page("jsonld_string_author.html"), "https://valley.example/2021/10/02/orchard/")
    article = result.article
    assert result.reason == "article:jsonld-BlogPosting"
    assert article["authors"] == ["Samuel Achterberg", "Lucía Fernández"]
    assert article["published"] == "2021-10-02"
    assert article["site_name"] == "Valley Farm Journal"


def test_title_suffix_removed_and_meta_author_cleaned(extractor: ArticleExtractor) -> None:
    url = "https://railgazette.example/news/night-trains-return-mountain-line"
    article = extractor.extract(page("title_suffix.html"), url).article
    assert article["title"] == "Night trains return to the mountain line"
    assert article["authors"] == ["Chen Wei"]
    assert article["published"] == "2020-11-20"
    assert article["url"] == url


def test_latin1_bytes_decoded_from_meta_charset(extractor: ArticleExtractor) -> None:
    article = extractor.extract(page("latin1.html"), "https://see.example/faehre").article
    assert article["title"] == "Größere Fähre für den Bodensee"
    assert "Die neue Fähre zwischen Meersburg und Konstanz" in article["text"]
    assert "\ufffd" not in article["text"]
    assert article["language"] == "de"


def test_latin1_bytes_with_http_charset_and_no_meta(extractor: ArticleExtractor) -> None:
    html = page("latin1.html").replace(b"charset=iso-8859-1", b"")
    article = extractor.extract(html, "https://see.example/faehre", encoding="ISO-8859-1").article
    assert "Überfahrt dauert weiterhin" in article["text"]


def test_str_input_is_accepted(extractor: ArticleExtractor) -> None:
    html = page("title_suffix.html").decode("utf-8")
    result = extractor.extract(html, "https://railgazette.example/news/night-trains")
    assert result.article is not None


def test_listing_page_is_not_an_article(extractor: ArticleExtractor) -> None:
    result = extractor.extract(page("listing.html"), "https://coastal-ledger.example/local/")
    assert result == Extraction(None, "not-article:listing")


def test_tag_page_is_not_an_article(extractor: ArticleExtractor) -> None:
    result = extractor.extract(page("tag.html"), "https://coastal-ledger.example/tag/transport/")
    assert result == Extraction(None, "not-article:tag")


def test_too_short_is_not_an_article() -> None:
    extractor = ArticleExtractor(ExtractOptions(min_text_length=5000))
    result = extractor.extract(page("title_suffix.html"), "https://railgazette.example/news/night-trains")
    assert result == Extraction(None, "not-article:too-short")


@pytest.mark.parametrize(
    "html",
    [b"", "", b"   \n", page("garbage.html"), b"<html>", b"\xff\xfe\x00<\x00", "just some words"],
    ids=["empty-bytes", "empty-str", "blank", "garbage", "bare-tag", "bad-utf16", "no-markup"],
)
def test_bad_input_never_raises(
    extractor: ArticleExtractor, html: bytes | str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = extractor.extract(html, "https://x.example/a")
    assert result.article is None
    assert result.reason.startswith(("error:", "not-article:"))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_huge_page_is_refused() -> None:
    extractor = ArticleExtractor(ExtractOptions(max_page_bytes=1000))
    result = extractor.extract(page("tagdiv_wordpress.html"), TAGDIV_URL)
    assert result.article is None and result.reason.startswith("error:page-too-large")


def test_not_an_article_logs_no_error(extractor: ArticleExtractor, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        extractor.extract(page("listing.html"), "https://coastal-ledger.example/local/")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_info(extractor: ArticleExtractor) -> None:
    info = extractor.info
    assert info["name"] == EXTRACTOR_NAME == "newsarchive"
    assert "+trafilatura-" in info["version"]


def _p(text: str, kind: str = "p", links: float = 0.0) -> Paragraph:
    return Paragraph(text, kind, int(len(text) * links))


PROSE = "The council voted on Tuesday to fund the new ferry link for the islands, ending years of delay."


def test_link_lists_and_teaser_tails_are_dropped() -> None:
    paragraphs = [
        _p(PROSE),
        _p("Related", "head"),
        _p("Port fees rise again", "item", 1.0),
        _p("Lighthouse restored by volunteers", "item", 1.0),
        _p("Market hall reopens", "item", 1.0),
        _p(PROSE),
        _p("Newsletter", "head"),
        _p("Get the day's stories in your inbox.", "head"),
        _p("School choir wins", "item", 1.0),
        _p("Tide floods car parks", "item", 1.0),
    ]
    assert [p.text for p in drop_link_lists(paragraphs)] == [PROSE, PROSE]


def test_numbered_link_listicle_and_short_last_sentence_are_kept() -> None:
    games = [_p(f"{i}) Board game number {i} http://x.example/{i}", "p", 1.0) for i in range(1, 6)]
    paragraphs = [_p(PROSE), *games]
    assert drop_link_lists(paragraphs) == paragraphs
    share_bar = [_p(w, "p", 1.0) for w in ("Mail", "Print", "Save")]
    ending = [_p(PROSE), _p("Nobody has commented on this yet."), *share_bar]
    assert [p.text for p in drop_link_lists(ending)] == [PROSE, "Nobody has commented on this yet."]


def test_consent_placeholders_and_picture_credits_are_dropped() -> None:
    for text in (
        "Externer Inhalt nicht verfügbar",
        "Your privacy settings prevent loading external content such as videos and social media.",
        "STR/AFP via Getty Images",
        "Foto: NTB",
    ):
        assert is_boilerplate(_p(text)), text
    assert not is_boilerplate(_p("Getty Images said on Monday that it would cut prices for news photos."))


def test_infinite_scroll_keeps_only_the_requested_story(extractor: ArticleExtractor) -> None:
    story = "".join(f"<p>{PROSE} Sentence number {i} adds a little more detail.</p>" for i in range(4))
    other = "".join(
        f"<p>A different story about the harbour market number {i}, written later.</p>" for i in range(6)
    )
    html = (
        "<html><head><title>Ferry link approved</title></head><body>"
        f"<article><h1>Ferry link approved</h1>{story}</article>"
        f"<article><h1>Market hall reopens</h1>{other}</article></body></html>"
    )
    article = extractor.extract(html, "https://daily.example/2024/ferry-link-approved-for-islands").article
    assert article["title"] == "Ferry link approved"
    assert "Sentence number 3" in article["text"]
    assert "different story" not in article["text"]


def test_widget_sections_timestamps_and_repeated_titles_are_dropped() -> None:
    paragraphs = [
        _p(PROSE),
        _p("2019-11-19T08:57:40+01:00"),
        _p("Thursday, October 6, 2022"),
        _p("Updated 12:30 PM EST, Mon November 18, 2019"),
        _p("Ferry link approved"),
        _p("Top stories", "head"),
        _p("Market hall reopens after two years of repairs and delays."),
        _p("Record tide floods the lower town car parks."),
    ]
    kept = drop_widget_sections([p for p in paragraphs if not is_boilerplate(p)])
    kept = drop_title(kept, "Ferry link approved", lambda a, b: a == b)
    assert [p.text for p in kept] == [PROSE]


def test_visible_standfirst_leads_the_text_not_a_head_only_description(extractor: ArticleExtractor) -> None:
    dek = "Two refitted vessels will run all year round, ending a decade of summer-only crossings."
    body = "".join(f"<p>{PROSE} Detail number {i} follows here.</p>" for i in range(4))
    page_html = (
        f'<html><head><meta name="description" content="{dek}"></head><body><article>'
        f'<h1>Ferry link approved</h1><p class="standfirst">{dek}</p>{body}</article></body></html>'
    )
    url = "https://daily.example/2024/ferry-link-approved-for-islands"
    text = extractor.extract(page_html, url).article["text"]
    assert text.count(dek) == 1 and text.startswith(dek + "\n\n")
    hidden = page_html.replace(f'<p class="standfirst">{dek}</p>', "")
    assert dek not in extractor.extract(hidden, url).article["text"]


def test_listing_with_a_visible_description_is_still_a_listing(extractor: ArticleExtractor) -> None:
    about = (
        "All the local news from the harbour, the old town and the three outer islands, "
        "updated every morning by the newsroom of The Coastal Ledger and its readers, with the "
        "ferry timetables, the weather at sea and the council's decisions in one place."
    )
    html = page("listing.html").replace(
        b"</head>", f'<meta name="description" content="{about}"></head>'.encode()
    ).replace(b"<main>", f"<main><p>{about}</p>".encode())
    result = extractor.extract(html, "https://coastal-ledger.example/local/")
    assert result.article is None and result.reason.startswith("not-article:")


def test_every_version_of_the_headline_is_kept_out_of_the_text(extractor: ArticleExtractor) -> None:
    body = "".join(f"<p>{PROSE} Detail number {i} follows here.</p>" for i in range(4))
    page_html = (
        '<html><head><meta property="og:title" content="Ferry link approved">'
        '</head><body><article><div class="kicker"><p>Islands</p></div>'
        f"<h2>Ferry link between the islands approved after a long campaign</h2>{body}"
        "</article></body></html>"
    )
    page_html = page_html.replace("<h2>", "<h1>").replace("</h2>", "</h1>")
    article = extractor.extract(page_html, "https://daily.example/2024/ferry-link-approved").article
    assert article["title"] == "Ferry link approved"
    assert "long campaign" not in article["text"]
    assert article["text"].startswith(PROSE)


def test_hidden_microdata_is_pruned_but_hidden_paywalled_prose_is_not() -> None:
    tree = parse_html(
        "<html><body><article><h1>Ferry link approved</h1>"
        f"<p>{PROSE}</p>"
        '<div style="color: red; display:none"><div itemprop="publisher" itemscope>'
        '<div itemprop="name">DailyExampleBrand</div></div>'
        f'<div itemprop="articleBody">{PROSE} {PROSE}</div></div>'
        '<div class="paywall" hidden><p>The rest of the story, locked for subscribers.</p></div>'
        "</article></body></html>"
    )
    assert prune_hidden(tree) == 1
    text = tree.text_content()
    assert "DailyExampleBrand" not in text and text.count(PROSE) == 1
    assert "locked for subscribers" in text


def _split_body_page(second_wrapper: str) -> str:
    first = "".join(f"<p>{PROSE} Part one, paragraph {i}.</p>" for i in range(3))
    second = "".join(f"<p>{PROSE} Part two, paragraph {i}.</p>" for i in range(5))
    ad = '<div class="row"><div class="ad-slot"><p>Advertisement</p></div></div>'
    chunk = f'<div class="article-body">{second}</div>'
    return (
        "<html><head><title>Ferry link approved</title></head><body>"
        '<article class="story"><h1>Ferry link approved</h1><div class="chunks">'
        f'<div class="row"><div class="article-body">{first}</div><aside class="rail"></aside></div>'
        f"{ad}{second_wrapper.format(chunk=chunk)}"
        "</div></article></body></html>"
    )


def test_body_split_across_layout_rows_is_extracted_whole(extractor: ArticleExtractor) -> None:
    html = _split_body_page('<div class="row">{chunk}<aside class="rail"></aside></div>')
    text = extractor.extract(html, "https://daily.example/2024/ferry-link-approved").article["text"]
    assert "Part one, paragraph 0." in text and "Part two, paragraph 4." in text
    assert text.index("Part one, paragraph 2.") < text.index("Part two, paragraph 0.")


def test_split_body_chunks_of_another_article_stay_apart() -> None:
    html = _split_body_page('<article class="next"><h1>Other story</h1>{chunk}</article>')
    tree = parse_html(html)
    assert join_split_body(tree) == 0


def test_bylines_author_notes_and_credit_lines_are_not_text() -> None:
    paragraphs = [
        _p("Von Ingrid Solberg und Tomasz Nowak, Bergen"),
        _p(PROSE),
        _p("Ingrid Solberg3 hours ago"),
        _p("By the harbour, nothing moved."),  # a sentence, not a byline
        _p("By The Numbers", "head"),
        _p("Von Kiel bis Lübeck", "head"),  # subheadings
        _p("Tomasz Nowak said the vote was close."),  # early in the story: a quote, not a note
        _p(PROSE),
        _p("Ingrid Solberg is the paper's islands correspondent and has covered the ferries since 2015."),
        _p("With files from The Canadian Press"),
        _p("Have a story idea? Tomasz Nowak may be reached at tnowak@ledger.example."),
    ]
    kept = drop_bylines(paragraphs, ["Ingrid Solberg", "Tomasz Nowak"], same_name)
    assert [p.text for p in kept] == [
        PROSE,
        "By the harbour, nothing moved.",
        "By The Numbers",
        "Von Kiel bis Lübeck",
        "Tomasz Nowak said the vote was close.",
        PROSE,
    ]
    # without known authors the "By ..." line still goes; a name deep in a last sentence stays
    ending = [_p("By Jane Doe"), _p(PROSE), _p("The new harbour master Jane Doe is expected to sign it.")]
    assert [p.text for p in drop_bylines(ending, [], same_name)] == [PROSE, ending[2].text]
    assert [p.text for p in drop_bylines(ending, ["Jane Doe"], same_name)] == [PROSE, ending[2].text]


def test_source_credits_video_lengths_and_script_settings_are_dropped() -> None:
    for text in (
        "Quelle: dpa",
        "Source: Harbour Authority",
        "Фото: Иван Петров, Вечерняя газета",
        "03:12 Min. Verfügbar bis 12.05.2024.",
        "14.03.2024 | 1:45 min",
        "showPaywall:",
        "false",
    ):
        assert is_boilerplate(_p(text)), text
    for text in (
        "Source: the harbour master, who asked not to be named, said the ferry would run.",
        "Available until the end of May, the passes cost 40 euros.",
        "Status: open",
    ):
        assert not is_boilerplate(_p(text)), text


def test_capitalised_link_to_another_story_is_dropped() -> None:
    assert is_boilerplate(_p("SHIPYARD ORDERS TWO NEW FERRIES FOR THE ISLANDS", "p", 1.0))
    assert not is_boilerplate(_p("SHIPYARD ORDERS TWO NEW FERRIES FOR THE ISLANDS"))  # a shouted line, no link
    assert not is_boilerplate(_p("Shipyard orders two new ferries for the islands", "p", 1.0))


def test_teaser_cards_nested_in_the_article_go_and_live_blog_entries_stay(extractor: ArticleExtractor) -> None:
    story = "".join(f"<p>{PROSE} Detail number {i} follows here.</p>" for i in range(4))
    card = (
        '<article class="card"><a href="/2024/market-hall-reopens"><img src="m.jpg" alt="">'
        "<h3>Market hall reopens after two years</h3></a></article>"
    )
    entry = (
        '<article class="post"><h3><a href="#post-2">Harbour closed to small boats</a></h3>'
        "<p>The harbour master closed the inner basin until the storm passes.</p></article>"
    )
    url = "https://daily.example/2024/ferry-link-approved"

    def text(inner: str) -> str:
        html = (
            "<html><head><title>Ferry link approved</title></head><body><article>"
            f"<h1>Ferry link approved</h1>{inner}</article></body></html>"
        )
        return extractor.extract(html, url).article["text"]

    with_cards = text(story + card + card)
    assert "Market hall reopens" not in with_cards and "Detail number 3" in with_cards
    assert "closed the inner basin" in text(story + entry + entry.replace("#post-2", "#post-3"))


def test_reader_prompts_and_sign_up_forms_are_dropped() -> None:
    for text in (
        "Did you like this article? Tell us below.",
        "Wie hat Ihnen dieser Artikel gefallen?",
        "Average rating: 4.5",
        "You must confirm your public display name before commenting",
        "Join our commenting forum",
        "Thank you for visiting the Ledger. You are using an outdated browser.",
        "Sign up with your email to get the islands newsletter every morning.",
        "By submitting this form you agree to our Privacy Policy and Terms & Conditions.",
        "Liked this story? Log in or create an account to keep reading the Ledger.",
        "This is a developing story and will be updated.",
        "Seen flooding in your street? Get in touch at news@ledger.example",
    ):
        assert is_boilerplate(_p(text)), text
    for text in (
        "The ferry company said it would sign up more crews before the summer season starts.",
        "She now answers every email in her inbox before the first ferry leaves.",
        "The council will publish a newsletter about the works.",
        "Residents who want to get in touch with the harbour master can now use a web form.",
    ):
        assert not is_boilerplate(_p(text)), text


def test_parse_html_drops_control_characters_and_ignores_declared_charsets() -> None:
    # the text is already decoded: a <meta charset> or an XML prolog must not re-decode it
    html = (
        "<?xml version='1.0' encoding='iso-8859-1'?><html><head><meta charset='iso-8859-1'></head>"
        "<body><p>Caf\u00e9 \u2014 na\u00efve\x00\x0b\x1f \u65e5\u672c\ttab</p></body></html>"
    )
    tree = parse_html(html)
    assert tree is not None
    assert tree.findtext(".//p") == "Caf\u00e9 \u2014 na\u00efve \u65e5\u672c\ttab"
    assert parse_html("no markup at all") is None
    assert parse_html(" \x00\x01 ") is None


def test_list_of_sources_under_the_story_is_dropped() -> None:
    paragraphs = [
        _p(PROSE),
        _p("Quellen:", "head"),
        _p("Harbour authority, annual report", "item"),
        _p("Interviews with ferry crews", "item"),
    ]
    assert [p.text for p in drop_widget_sections(paragraphs)] == [PROSE]


def test_parsers_pick_element_classes_in_c(extractor: ArticleExtractor) -> None:
    # lxml.html's own lookup gives form controls their own classes through a Python call per
    # element; every parser the extraction runs through builds plain HtmlElements instead
    import htmldate.utils
    import lxml.html
    import trafilatura.utils

    markup = "<html><body><form><input name='q'><select><option>a</option></select></form></body></html>"
    ours = parse_html(markup)
    assert ours is not None
    for parser in (trafilatura.utils.HTML_PARSER, htmldate.utils.HTML_PARSER, lxml.html.html_parser):
        tree = lxml.html.fromstring(markup, parser=parser)
        assert type(tree.find(".//input")) is lxml.html.HtmlElement
    control = ours.find(".//input")
    assert type(control) is lxml.html.HtmlElement
    assert ours.find(".//select").text_content() == "a"  # HtmlElement's methods are all there
    # a page with a form in its body extracts as before
    html = ("<html><head><title>Harbour ferry vote</title></head><body><article><h1>Harbour ferry vote</h1>"
            + "".join("<p>%s Paragraph %d of the report adds its own detail on fares and timetables.</p>"
                      % (PROSE, n) for n in range(8))
            + "<form><label>Name <input name='n'></label><textarea>Say</textarea></form></article></body></html>")
    result = extractor.extract(html, "https://coastal-ledger.example/2023/05/17/harbour-ferry-vote")
    assert result.article is not None and PROSE in result.article["text"]
