"""crawler/links.py: the page scanner finds the links lxml finds, without building a tree."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from parsel import Selector

from crawler.discovery import FEED_TYPES
from crawler.links import PageLinks, scan_links, unescape_attribute

FEEDS = frozenset(FEED_TYPES)
_FEED_XPATH = "//link[@rel='alternate'][%s]/@href" % " or ".join("@type='%s'" % t for t in FEED_TYPES)
DATA = Path(__file__).parent / "data"
EVAL_PAGES = sorted((Path(__file__).resolve().parents[2] / "shared" / "eval").glob("*/pages/*.html.gz"))


def lxml_links(text: str) -> PageLinks:
    """What a parsel Selector (lxml's HTML parser) finds: the reference."""
    selector = Selector(text=text, type="html")
    base = selector.xpath("//base/@href").getall()
    return PageLinks(base[0] if base else None, selector.xpath("//a/@href").getall(),
                     selector.xpath(_FEED_XPATH).getall())


CASES = [
    ('<a href="/a">x</a><A HREF=\'/b\'>y</A><a href=/c>z</a>', ["/a", "/b", "/c"]),
    ('<a\nhref\n=\n"/nl">', ["/nl"]),
    ("<a/href=/slash>", ["/slash"]),
    ('<a href="x>y" >', ["x>y"]),  # a ">" inside quotes does not end the tag
    ('<a title="a>b" href=/z>', ["/z"]),
    ('<a href=/first href=/second>', ["/first"]),
    ('<a name=top>no href</a><a href>empty</a>', [""]),
    ("<abbr href=/no><address href=/no><area href=/no>", []),
    ('<div data-x="<a href=/in-attribute>"></div><a href=/real>', ["/real"]),
    ("<!-- <a href=/commented> --><a href=/after>", ["/after"]),
    ("<!--> <a href=/after-empty-comment> -->", ["/after-empty-comment"]),
    ("<!doctype html><?php <a href=/pi> ?><![CDATA[<a href=/cdata>]]><a href=/ok>", ["/ok"]),
    ("<script>document.write('<a href=/js>')</script><a href=/ok>", ["/ok"]),
    ('<script type="text/template"><a href="/tpl"></a></SCRIPT ><a href=/ok>', ["/ok"]),
    ("<script>x</scriptx><a href=/in></script><a href=/out>", ["/out"]),
    ("<style>a::after{content:'<a href=/css>'}</style><a href=/ok>", ["/ok"]),
    ("<title><a href=/t></title><textarea><a href=/ta></textarea><a href=/ok>", ["/ok"]),
    ("<iframe><a href=/if></iframe><xmp><a href=/x></xmp><a href=/ok>", ["/ok"]),
    ("<noscript><a href=/noscript></a></noscript>", ["/noscript"]),
    ("<script/><a href=/after-closed-script></script>", ["/after-closed-script"]),
    ("<a href=/before><plaintext><a href=/after>", ["/before"]),
    ('<svg><a href="/svg"></a><a xlink:href="/xlink"></a></svg>', ["/svg"]),
    ('<a <a href=/x>', ["/x"]),
    ("</a href=/end-tag><a href=/ok>", ["/ok"]),
    ('<a href="/unfinished', []),  # an unfinished tag at the end is dropped
    ("<a href=/ok><div class='never closed", ["/ok"]),
    ('<a href="?a=1&amp;b=2&copy=3&lt;&nbsp;&copy;">', ["?a=1&b=2&copy=3<\xa0©"]),
    ('<a href="&#x41;&#65&#0;&ampb&amp=c&notin;&notit">', ["AA\ufffd&ampb&amp=c∉&notit"]),
    ('<a href="\tx\n">', ["\tx\n"]),  # stripped by the caller, as before
    ("<a href='a\x00b'>", ["ab"]),
    ("<p>1 < 2 <a href=/lt>x</a></p>", ["/lt"]),
]


@pytest.mark.parametrize(("html", "anchors"), CASES)
def test_anchors_as_the_html_parser_finds_them(html: str, anchors: list[str]) -> None:
    assert scan_links(html, FEEDS).anchors == anchors
    assert lxml_links(html).anchors == anchors


def test_feed_links_and_base() -> None:
    html = (
        '<html><head><base href="https://cdn.example/x/"><base href="/second">'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        "<LINK REL=alternate TYPE=application/atom+xml HREF=/atom>"
        '<link rel="alternate" hreflang="de" href="/de/">'  # a translation, not a feed
        '<link rel="alternate nofollow" type="application/rss+xml" href="/not-exactly-alternate">'
        '<link rel="stylesheet" type="text/css" href="/site.css">'
        '</head><body><link rel=alternate type="application/feed+json" href=/feed.json></body></html>'
    )
    found = scan_links(html, FEEDS)
    assert found == PageLinks("https://cdn.example/x/", [], ["/feed.xml", "/atom", "/feed.json"])
    assert found == lxml_links(html)


def test_unescape_attribute_follows_the_rules_for_attribute_values() -> None:
    assert unescape_attribute("/a?x=1&amp;y=2") == "/a?x=1&y=2"
    assert unescape_attribute("/a?x=1&copy=2&reg") == "/a?x=1&copy=2®"
    assert unescape_attribute("a\r\nb\rc") == "a\nb\nc"
    assert unescape_attribute("&unknown;&#128512;") == "&unknown;\U0001f600"


def test_a_page_with_an_unclosed_quote_is_scanned_to_its_end() -> None:
    html = "<a href=/ok>" + '<div title="' + "<p>text " * 20000 + "<a href=/lost>"
    assert scan_links(html, FEEDS).anchors == ["/ok"]


@pytest.mark.parametrize("path", sorted((DATA / "extract").glob("*.html")), ids=lambda p: p.name)
def test_same_links_as_lxml_on_test_pages(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    assert scan_links(text, FEEDS) == lxml_links(text)


def test_same_links_as_lxml_on_the_demo_site() -> None:
    from demosite.routes import Router

    router = Router("http://127.0.0.1:8000")
    paths = ["/", "/about/", *sorted(router.content.by_path)]
    compared = 0
    for path in paths:
        response = router.route(path)
        if response.status != 200 or b"<html" not in response.body[:2000].lower():
            continue
        charset = response.content_type.partition("charset=")[2] or "utf-8"
        text = response.body.decode(charset)
        assert scan_links(text, FEEDS) == lxml_links(text), path
        compared += 1
    assert compared >= 10


@pytest.mark.skipif(not EVAL_PAGES, reason="the shared evaluation pages are not here")
def test_same_links_as_lxml_on_real_pages() -> None:
    for path in EVAL_PAGES:
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        assert scan_links(text, FEEDS) == lxml_links(text), path.name


def test_recent_map_keeps_recent_entries_in_bounded_memory() -> None:
    from crawler.links import RecentMap

    recent = RecentMap(3)
    for n in range(10):
        recent[n] = str(n)
        recent.get(0)  # used all along: never forgotten
    assert len(recent) <= 2 * 3
    assert recent.get(0) == "0" and recent.get(9) == "9"
    assert recent.get(1) is None  # long unused: gone


@pytest.mark.parametrize("href", [
    "/a/b?x=1#f", "/a/../b", "//other.example/x", "//", "///x", "https://other.example/y",
    "HTTP://Other.example/y", "http:///x", "https:/x", "http://\tx/", "b/c", "../c", "?q=1", "",
    "#top", "h", "http:relative",
])
def test_join_key_is_shared_only_by_bases_that_resolve_alike(href: str) -> None:
    from urllib.parse import urljoin, urlsplit

    from crawler.links import join_key

    bases = ["https://news.example/a/page", "https://news.example/other/page?id=2",
             "http://news.example/a/page", "https://cdn.example/a/page"]
    results: dict[tuple[str, str], set[str]] = {}
    for base in bases:
        parts = urlsplit(base)
        key = join_key(href, base, "%s://%s" % (parts.scheme, parts.netloc), parts.scheme)
        results.setdefault(key, set()).add(urljoin(base, href))
    assert all(len(joined) == 1 for joined in results.values()), results
