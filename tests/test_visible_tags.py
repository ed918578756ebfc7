"""The tag list an article shows: its tags when the metadata names none."""
from __future__ import annotations

from demosite.routes import Router
from pipelines.htmlload import parse_html
from pipelines.visible_tags import visible_tags


def tags_of(html: str) -> list[str]:
    tree = parse_html(html)
    assert tree is not None
    return visible_tags(tree)


def test_rel_tag_links() -> None:
    html = ('<article><p>Text.</p><footer><a rel="tag" href="/t/a">#Ferries</a>, '
            '<a rel="tag" href="/t/b">Harbour works</a> <a rel="tag" href="/t/a">ferries</a></footer></article>')
    assert tags_of(html) == ["Ferries", "Harbour works"]


def test_a_container_named_for_tags_or_topics() -> None:
    for name in ('class="post-tags"', 'id="articleTopics"', 'class="td-tags clearfix"', 'class="schlagworte"'):
        html = (f'<main><article><p>Text.</p><ul {name}><li><span>Tags</span></li>'
                '<li><a href="/x">Climate</a></li><li><a href="/y">Polar research</a></li></ul></article></main>')
        assert tags_of(html) == ["Climate", "Polar research"], name


def test_what_is_not_an_articles_tag_list() -> None:
    cloud = ('<article><p>Text.</p></article><aside><div class="tags"><a href="/a">Sport</a>'
             '<a href="/b">Weather</a></div></aside>')
    menu = '<header><nav><ul class="topics"><li><a href="/a">World</a></li></ul></nav></header><article/>'
    prose = ('<article><div class="tag-intro">We asked <a href="/a">Jane Doe</a> and the harbour master '
             'what the closure means for the town, and both said the same thing about it.</div></article>')
    long_links = ('<article><ul class="tags"><li><a href="/a">Harbour reopens after the storm that closed '
                  'the quay for a week</a></li></ul></article>')
    tagline = '<header><p class="tagline"><a href="/">Independent news since 1998</a></p></header>'
    for html in (cloud, menu, prose, long_links, tagline):
        assert tags_of(html) == [], html


def test_every_demo_article_shows_its_tags_and_no_other_page_does() -> None:
    router = Router("http://127.0.0.1:1/")
    for article in router.content.articles:
        shown = tags_of(router.route(article.path).body.decode(article.encoding))
        assert [t.casefold().replace(" ", "-") for t in shown] == list(article.tags), article.path
    for path in ("/", "/about/", "/section/world/", f"/tag/{next(iter(router.content.tags))}/"):
        assert tags_of(router.route(path).body.decode()) == [], path
