"""crawler/requisite_scan.py: the stylesheets, images, fonts, scripts, icons and posters of a page
or a stylesheet, found by a bounded text scan that never raises."""
from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.requisite_css import css_requisites
from crawler.requisite_found import Requisite
from crawler.requisite_scan import html_requisites

PAGE = "https://news.example/section/page.html"
SHEET = "https://cdn.example/css/site.css"
EVAL_PAGES = sorted((Path(__file__).resolve().parents[2] / "shared" / "eval").glob("*/pages/*.html.gz"))


def found(html: str, base: str = PAGE, limit: int = 0) -> list[tuple[str, str]]:
    requisites, cut = html_requisites(html, base, limit)
    assert not cut
    return [(r.url, r.kind) for r in requisites]


def css(text: str, base: str = SHEET, limit: int = 0) -> list[tuple[str, str]]:
    requisites, cut = css_requisites(text, base, limit)
    assert not cut
    return [(r.url, r.kind) for r in requisites]


S = "https://news.example/section/"  # where relative URLs of PAGE land
HTML_CASES = [
    # <link>: rel tokens, case-insensitive, in any order
    ('<link rel=stylesheet href=a.css><LINK REL="StyleSheet" HREF="/b.css">'
     '<link href=c.css rel="alternate stylesheet">',
     [(S + "a.css", "stylesheet"), ("https://news.example/b.css", "stylesheet"), (S + "c.css", "stylesheet")]),
    ('<link rel="shortcut icon" href=/favicon.ico><link rel=icon href=i.png><link rel=apple-touch-icon href=t.png>',
     [("https://news.example/favicon.ico", "icon"), (S + "i.png", "icon"), (S + "t.png", "icon")]),
    ('<link rel=preload as=style href=p.css><link rel=preload as=FONT href=f.woff2 crossorigin>'
     '<link rel=preload href=i.jpg as=image><link rel=preload as=script href=s.js>'
     '<link rel=preload as=fetch href=d.json>',
     [(S + "p.css", "stylesheet"), (S + "f.woff2", "font"), (S + "i.jpg", "image"), (S + "s.js", "script")]),
    ('<link rel=preload as=image href=h.jpg imagesrcset="h1.jpg 1x, h2.jpg 2x">',
     [(S + "h.jpg", "image"), (S + "h1.jpg", "image"), (S + "h2.jpg", "image")]),
    ("<link rel=modulepreload href=mod.js><link rel=mask-icon href=mask.svg>"
     "<link rel=apple-touch-icon-precomposed href=p.png>",
     [(S + "mod.js", "script"), (S + "mask.svg", "icon"), (S + "p.png", "icon")]),
    ('<link rel=alternate type=application/rss+xml href=/feed><link rel=canonical href=/c><link rel=next href=/2>'
     '<link rel=preload href=x.css><link href=y.css>', []),
    # images: src, srcset candidates with w and x descriptors, commas inside URLs
    ('<img src=a.png srcset="a-300.png 300w, https://img.example/w_600,h_400/a.png 600w,a-2x.png 2x">',
     [(S + "a.png", "image"), (S + "a-300.png", "image"), ("https://img.example/w_600,h_400/a.png", "image"),
      (S + "a-2x.png", "image")]),
    ('<img srcset="b.png,c.png">', [(S + "b.png,c.png", "image")]),  # no whitespace: one URL with a comma
    ('<img srcset=",, d.png,, e.png 1.5x , f.png">',
     [(S + "d.png", "image"), (S + "e.png", "image"), (S + "f.png", "image")]),
    ('<img srcset="g.png 100w (junk, more) 2x, h.png">', [(S + "g.png", "image"), (S + "h.png", "image")]),
    ("<picture><source type=image/avif srcset='p.avif 1x, p2.avif 2x'><source srcset=p.webp><img src=p.jpg></picture>",
     [(S + "p.avif", "image"), (S + "p2.avif", "image"), (S + "p.webp", "image"), (S + "p.jpg", "image")]),
    ('<svg><image href="s1.svg"/><image xlink:href="s2.png"></image></svg><image src=s3.png>',
     [(S + "s1.svg", "image"), (S + "s2.png", "image"), (S + "s3.png", "image")]),
    ("<input type=image src=go.png><input type=text src=no.png><input src=no2.png>", [(S + "go.png", "image")]),
    ('<object data=chart.svg></object><object data=movie.swf></object><object type="image/png" data=/graph>',
     [(S + "chart.svg", "image"), ("https://news.example/graph", "image")]),
    ('<meta property="og:image" content="/og.jpg"><meta name=twitter:image content=//cdn.example/tw.jpg>'
     '<meta property=og:image:secure_url content=/og-s.jpg><meta property=og:title content=/not.jpg>',
     [("https://news.example/og.jpg", "image"), ("https://cdn.example/tw.jpg", "image"),
      ("https://news.example/og-s.jpg", "image")]),
    # scripts and media: posters yes, video and audio bodies no
    ("<script src=/app.js></script><script type=module src='m.js'></script>",
     [("https://news.example/app.js", "script"), (S + "m.js", "script")]),
    ("<video src=v.mp4 poster=poster.jpg><source src=v.webm type=video/webm><track src=subs.vtt></video>"
     "<audio src=a.mp3><source src=a.ogg></audio>", [(S + "poster.jpg", "poster")]),
    # what is no requisite at all
    ("<a href=/article.html>x</a><iframe src=/frame.html></iframe><embed src=e.swf><form action=/f>", []),
    ('<img src="data:image/png;base64,iVBOR"><img src="blob:https://news.example/1"><img src="javascript:void(0)">'
     '<img src="about:blank"><img src="mailto:x@news.example"><img src="ftp://files.example/x.png">'
     '<img src=""><img src="  "><img src="#top"><img>', []),
    ('<img src="http://[::1/x.png"><img src="http://:80/x.png"><img src="http:///x.png"><img src="https://a b/x.png">',
     []),
    # URLs: fragments dropped, duplicates dropped (the first kind stays), entities decoded, whitespace
    ('<img src="x.png#f"><img src=x.png><link rel=preload as=image href="x.png"><img src="//cdn.example/y.png">',
     [(S + "x.png", "image"), ("https://cdn.example/y.png", "image")]),
    ('<img src="/i?w=1&amp;h=2&copy=3"><img src="&#x2F;j.png"><img src=" \n k\n.png\t">',
     [("https://news.example/i?w=1&h=2&copy=3", "image"), ("https://news.example/j.png", "image"),
      (S + "k.png", "image")]),
    ("<img src=\\img\\l.png><img src='HTTP://Other.example/m.png'>",
     [("https://news.example/img/l.png", "image"), ("http://Other.example/m.png", "image")]),
    # quoting, case, odd spacing
    ("<IMG SRC='q1.png'><img\nsrc\n=\nq2.png><img/src=q3.png><img alt='a>b' src=q4.png><img src=q5.png src=no.png>",
     [(S + "q1.png", "image"), (S + "q2.png", "image"), (S + "q3.png", "image"), (S + "q4.png", "image"),
      (S + "q5.png", "image")]),
    # what is no tag: comments, raw text; <noscript> is markup
    ("<!-- <img src=c1.png> --><!--><img src=ok1.png><!----><img src=ok2.png>",
     [(S + "ok1.png", "image"), (S + "ok2.png", "image")]),
    ("<script>document.write('<img src=js.png>')</script><script><img src=js2.png></SCRIPT ><img src=ok.png>",
     [(S + "ok.png", "image")]),
    ("<title><img src=t.png></title><textarea><img src=ta.png></textarea><noscript><img src=ns.png></noscript>",
     [(S + "ns.png", "image")]),
    ('<div data-x="<img src=in-attr.png>"></div><p title=\'<link rel=stylesheet href=z.css>\'>', []),
    ("<img src=ok.png><plaintext><img src=after.png>", [(S + "ok.png", "image")]),
    ('<img src=ok.png><img src="unfinished.png', [(S + "ok.png", "image")]),
    # CSS in the page: style attributes and <style> blocks
    ('<div style="background: url(bg1.png)"><P STYLE=\'background-image:URL("bg2.png")\'>'
     '<span data-style="background:url(no.png)"><td style="background:url(&quot;bg3.png&quot;)">',
     [(S + "bg1.png", "image"), (S + "bg2.png", "image"), (S + "bg3.png", "image")]),
    ('<img src=i1.png style="border-image:url(i2.png)"><section style=color:red><b style>x</b>',
     [(S + "i1.png", "image"), (S + "i2.png", "image")]),
    ("<style>@import 'imp.css'; /* url(comment.png) */ body{background:url(b.png)}"
     "@font-face{font-family:x;src:url(/f.woff2)format('woff2')} p::after{content:'<img src=no.png>'}</style>"
     "<style media=print>@import url(print.css);</style>",
     [(S + "imp.css", "import"), (S + "b.png", "image"), ("https://news.example/f.woff2", "font"),
      (S + "print.css", "import")]),
]


@pytest.mark.parametrize(("html", "expected"), HTML_CASES)
def test_html_requisites(html: str, expected: list[tuple[str, str]]) -> None:
    assert found(html) == expected


@pytest.mark.parametrize(("html", "expected"), [
    # the first <base href> applies to the whole page, also before it
    ('<img src=a.png><base href="https://static.example/b/"><img src=b.png><base href=/other/><img src=/c.png>',
     ["https://static.example/b/a.png", "https://static.example/b/b.png", "https://static.example/c.png"]),
    ("<base href=../up/><img src=a.png>", ["https://news.example/up/a.png"]),
    # a page whose URLs differ only under the document URL are kept apart under the base
    ("<img src=a.png><img src=/section/a.png><base href=/other/>",
     ["https://news.example/other/a.png", "https://news.example/section/a.png"]),
    ("<base target=_blank><base href=/b/><img src=a.png>", ["https://news.example/b/a.png"]),
    ("<base href='javascript:alert(1)'><base href=/b/><img src=a.png>", [S + "a.png"]),  # first wins, unusable
    ("<!-- <base href=/b/> --><script>'<base href=/c/>'</script><img src=a.png>", [S + "a.png"]),
])
def test_base_href(html: str, expected: list[str]) -> None:
    assert [url for url, _kind in found(html)] == expected


def test_document_url_that_is_not_http_keeps_only_absolute_urls() -> None:
    html = "<img src=a.png><img src=https://cdn.example/b.png>"
    for base in ("file:///tmp/page.html", "", "not a url", "http://[::1/"):
        assert found(html, base) == [("https://cdn.example/b.png", "image")]


CSS_CASES = [
    ("@import 'a.css';@import \"b.css\" screen;@import url(c.css);@import url( 'd.css' ) print;"
     "@IMPORT /* why */ url(\"e.css\") layer(x);",
     [(name, "import") for name in ("a.css", "b.css", "c.css", "d.css", "e.css")]),
    ("a{background:url(bg.png)} b{background:URL( 'q1.png' ) no-repeat, url(\"q2.png\")}",
     [("bg.png", "image"), ("q1.png", "image"), ("q2.png", "image")]),
    ("/* url(c.png) @import 'c.css'; */ a{content:'url(s.png)'; b: \"url(d.png)\"} c{x:myurl(m.png)}", []),
    ("@font-face{font-family:'X';src:url(x.eot?#iefix) format('embedded-opentype'),url('x.svg#x') format('svg')}"
     " a{background:url(x.png)} b{src:url(other.woff2)}",
     [("x.eot?", "font"), ("x.svg", "font"), ("x.png", "image"), ("other.woff2", "font")]),
    ("@media screen{@font-face{src:local(a),url(f1)}.x{background:url(after.png)}}@font-face;.y{background:url(y.png)}",
     [("f1", "font"), ("after.png", "image"), ("y.png", "image")]),
    ('a{background:image-set("i1.png" 1x, url(i2.png) 2x, "i3.avif" type("image/avif"))}'
     "b{background:-webkit-image-set('w1.png' 1x);content:'c.png'}",
     [("i1.png", "image"), ("i2.png", "image"), ("i3.avif", "image"), ("w1.png", "image")]),
    # escapes: \) in a bare URL, hex escapes (with their one space), escaped quotes, line continuations
    ('a{b:url(a\\)b.png);c:url(sp\\ ace.png);d:url("q\\"uote.png");e:url(\\26 amp.png);f:url("li\\\nne.png")}',
     [("a)b.png", "image"), ("sp ace.png", "image"), ('q"uote.png', "image"), ("&amp.png", "image"),
      ("line.png", "image")]),
    ("a{b:url(data:image/png;base64,AAAA);c:url('data:font/woff2;base64,d09G');d:url(#filter);e:url()}", []),
    ("a{b:url(/root.png);c:url(//other.example/p.png);d:url(../up.png);e:url(https://x.example/e.png#frag)}",
     [("https://cdn.example/root.png", "image"), ("https://other.example/p.png", "image"),
      ("https://cdn.example/up.png", "image"), ("https://x.example/e.png", "image")]),
]


@pytest.mark.parametrize(("text", "expected"), CSS_CASES)
def test_css_requisites(text: str, expected: list[tuple[str, str]]) -> None:
    assert css(text) == [(urljoin(SHEET, url), kind) for url, kind in expected]


@pytest.mark.parametrize("text", [
    "a{background:url(", "a{background:url('x", "@import", "@import 'x", "/* never closed url(a.png)",
    "a{content:'never closed", "@font-face{src:url(f", "a{b:image-set('x", "\\", "url(\\", "}}}{{{((()))",
])
def test_unfinished_css_is_no_error(text: str) -> None:
    requisites, cut = css_requisites(text, SHEET, 10)
    assert not cut
    assert all(r.url.startswith("https://cdn.example/") for r in requisites)


def test_limit_cuts_after_that_many_distinct_requisites() -> None:
    html = "<img src=1.png><img src=1.png#x><img src=2.png><img src=3.png><img src=4.png>"
    assert html_requisites(html, PAGE, 2) == ([Requisite(S + "1.png", "image"), Requisite(S + "2.png", "image")], True)
    assert html_requisites(html, PAGE, 4)[1] is False  # exactly the limit: not cut
    assert len(html_requisites(html, PAGE, 4)[0]) == 4
    assert len(html_requisites(html, PAGE, 0)[0]) == 4  # 0: no bound
    sheet = "a{b:url(1.png)}" * 3 + "a{b:url(2.png)} a{b:url(3.png)}"
    assert css_requisites(sheet, SHEET, 2) == (
        [Requisite("https://cdn.example/css/1.png", "image"), Requisite("https://cdn.example/css/2.png", "image")],
        True)


def test_limit_counts_what_a_style_block_and_a_base_add() -> None:
    html = "<style>a{b:url(1.png)} c{d:url(2.png)} e{f:url(3.png)}</style><img src=4.png>"
    requisites, cut = html_requisites(html, PAGE, 2)
    assert cut and [r.url for r in requisites] == [S + "1.png", S + "2.png"]
    # two values that were one URL under the document URL are two under the base: past the limit
    html = "<img src=a.png><img src=/section/a.png><base href=/other/>"
    assert html_requisites(html, PAGE, 1) == ([Requisite("https://news.example/other/a.png", "image")], True)


def test_a_huge_page_of_images_is_cut_at_the_limit() -> None:
    html = "<html><body>" + "".join("<p>text</p><img src='/img/%d.jpg' alt='x'>" % n for n in range(100_000))
    assert len(html) > 4_000_000
    requisites, cut = html_requisites(html, PAGE, 150)
    assert cut
    assert [r.url for r in requisites] == ["https://news.example/img/%d.jpg" % n for n in range(150)]
    same = "<img src=/logo.png>" * 100_000  # duplicates cost no room
    assert html_requisites(same, PAGE, 150) == ([Requisite("https://news.example/logo.png", "image")], False)


def test_hostile_pages() -> None:
    big_attribute = '<img alt="' + "x" * 5_000_000 + '" src=after.png><img src=next.png>'
    assert found(big_attribute) == [(S + "after.png", "image"), (S + "next.png", "image")]
    unclosed_quote = "<img src=ok.png>" + '<div title="' + "<img src=lost.png> " * 50_000
    assert found(unclosed_quote) == [(S + "ok.png", "image")]
    unclosed_comment = "<img src=ok.png><!-- " + "<img src=c.png>" * 50_000
    assert found(unclosed_comment) == [(S + "ok.png", "image")]
    unclosed_script = "<img src=ok.png><script>" + "<img src=s.png>" * 50_000
    assert found(unclosed_script) == [(S + "ok.png", "image")]
    open_tags = "<img src=ok.png>" + "<div " * 100_000 + "<img src=x.png>"
    assert found(open_tags) == [(S + "ok.png", "image")]  # one <div> with 100,000 attributes
    lone_brackets = "<" * 200_000 + "<img src=ok.png>" + "</" * 100_000
    assert found(lone_brackets) == [(S + "ok.png", "image")]
    nul = "<im\x00g s\x00rc=ok.png>"
    assert found(nul) == [(S + "ok.png", "image")]
    huge_srcset = "<img srcset='" + "a.png 1x, " * 200_000 + "b.png'>"
    assert found(huge_srcset) == [(S + "a.png", "image"), (S + "b.png", "image")]
    styled = '<div style="' + "background:url(x.png);" * 100_000 + '">'
    assert found(styled) == [(S + "x.png", "image")]


def test_hostile_stylesheets() -> None:
    assert css("{" * 500_000 + "a{b:url(deep.png)}" + "}" * 500_000) == [("https://cdn.example/css/deep.png", "image")]
    assert css("@font-face{" + "{" * 100_000 + "src:url(f)}") == [("https://cdn.example/css/f", "font")]
    assert css("url(" * 200_000) == []
    assert css("a{b:url('" + "x" * 1_000_000) == []
    assert css("image-set(" * 100_000 + "'i.png'") == []  # a string in a function inside image-set(): no URL
    requisites, cut = css_requisites("".join("a{b:url(%d.png)}" % n for n in range(100_000)), SHEET, 150)
    assert cut and len(requisites) == 150


def test_binary_garbage() -> None:
    rng = random.Random(14)
    for _ in range(20):
        junk = bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1")
        junk += "<img src=/end.png>"
        for scan in (html_requisites, css_requisites):
            requisites, _cut = scan(junk, PAGE, 150)
            assert all(urlsplit(r.url).scheme in ("http", "https") for r in requisites)


# Bits of markup and CSS that matter to the scanner, for hypothesis to put together.
FRAGMENTS = [
    "<img src=", "<img srcset='", "<link rel=stylesheet href=", "<base href=", "<style>", "</style>", "<script>",
    "</script>", "<!--", "-->", "<video poster=", "<source srcset=", '<meta property=og:image content="',
    ' style="', "url(", "@import ", "@font-face{", "image-set(", "}", "{", ")", "(", ";", '"', "'", "\\", "&amp;",
    "&#", "#", "//", "/", "..", "http://", "https://", "HTTP:", "data:", "javascript:", "[", "]", "@", ":", "%",
    ">", "<", " ", ",", "1x", "300w", "a.png", "x.example", "\x00", "\n",
]
documents = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join)
bases = st.one_of(st.just(PAGE), st.just("http://[::1]:8080/a/b"), st.text(max_size=20),
                  st.sampled_from(FRAGMENTS).map(lambda f: "https://h.example/" + f))


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(text=documents, base=bases, limit=st.integers(min_value=0, max_value=5))
def test_never_raises_and_returns_absolute_http_urls(text: str, base: str, limit: int) -> None:
    for scan in (html_requisites, css_requisites):
        requisites, cut = scan(text, base, limit)
        urls = [r.url for r in requisites]
        assert len(set(urls)) == len(urls)
        assert not limit or len(urls) <= limit
        assert not cut or len(urls) == limit
        for requisite in requisites:
            parts = urlsplit(requisite.url)
            assert parts.scheme in ("http", "https") and parts.hostname, requisite
            assert "#" not in requisite.url
            assert requisite.kind in ("stylesheet", "import", "image", "font", "script", "icon", "poster", "other")


@pytest.mark.skipif(not EVAL_PAGES, reason="the shared evaluation pages are not here")
def test_finds_what_lxml_finds_on_real_pages() -> None:
    """Every <img src>, stylesheet and <script src> that lxml's tree holds is found (the scanner
    finds more: srcset candidates, CSS, icons, og:image)."""
    from parsel import Selector

    compared = 0
    for path in EVAL_PAGES:
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        url = json.loads(path.with_name(path.name.removesuffix(".html.gz") + ".json").read_text())["url"]
        selector = Selector(text=text, type="html")
        base = urljoin(url, (selector.xpath("//base/@href").get() or "").strip())
        expected = set()
        for value in selector.xpath(
            "//img/@src | //script/@src | //link[contains(concat(' ', translate(@rel, 'STYLEHE', 'stylehe'), ' '),"
            " ' stylesheet ')]/@href"
        ).getall():
            value = value.strip()
            if value and not value.startswith(("data:", "#", "javascript:", "about:", "blob:")) and "\\" not in value:
                joined = urljoin(base, value).partition("#")[0]
                if urlsplit(joined).scheme in ("http", "https"):
                    expected.add(joined)
        requisites, cut = html_requisites(text, url, 0)
        assert not cut
        missing = expected - {r.url for r in requisites}
        assert not missing, (path.name, sorted(missing)[:5])
        compared += len(expected)
    assert compared > 1000


URL_PARTS = ["/", "//", ".", "..", "a", "b.png", "?", "q=1", "&", "#", "f", ";", "p=2", "%20", "http:", "https:",
             "HTTPS:", "cdn.example", ":8080", "@", "[::1]", "~"]


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(value=st.lists(st.sampled_from(URL_PARTS), min_size=1, max_size=8).map("".join),
       base=st.sampled_from([PAGE, "https://news.example", "http://News.example:8080/a/b/?x=1", SHEET]))
def test_urls_join_as_urljoin_joins_them(value: str, base: str) -> None:
    try:
        expected = urljoin(base, value).partition("#")[0]
        scheme, colon, rest = expected.partition(":")
        expected = scheme.lower() + colon + rest  # urljoin keeps "HTTPS" when the base is http
        parts = urlsplit(expected)
        sound = parts.scheme in ("http", "https") and bool(parts.hostname)
        if re.match(r"https?://", value, re.IGNORECASE) and not urlsplit(value).hostname:
            sound = False  # "https://" has no host: a browser fetches nothing (urljoin gives the base)
    except ValueError:
        sound = False
    requisites, _cut = html_requisites('<img src="%s">' % value, base, 0)
    if value.startswith("#") or not sound:
        assert requisites == []
    else:
        assert requisites == [Requisite(expected, "image")]
