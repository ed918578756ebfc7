"""pipelines/canonical.py: one spelling per article URL, so nothing is fetched or kept twice."""
from __future__ import annotations

import pytest

from pipelines.canonical import InvalidURL, canonicalize, host_of, is_tracking_param


@pytest.mark.parametrize("url, expected", [
    # tracking parameters go, whatever their case; the rest keep order and spelling
    ("https://news.example/a?utm_source=rss&id=7&UTM_Medium=social&page=2",
     "https://news.example/a?id=7&page=2"),
    ("https://news.example/a?fbclid=IwAR0&gclid=Cj0&msclkid=1&yclid=2&_ga=1.2&mc_cid=x&mc_eid=y",
     "https://news.example/a"),
    ("https://news.example/a?b=2&a=1&B=3", "https://news.example/a?b=2&a=1&B=3"),
    ("https://news.example/a?q=caf%C3%A9+au+lait&x=a%2Fb&utm_campaign=c",
     "https://news.example/a?q=caf%C3%A9+au+lait&x=a%2Fb"),
    ("https://news.example/a?flag&utm_content=1&empty=", "https://news.example/a?flag&empty="),
    ("https://news.example/a?utm%5Fsource=1&id=2", "https://news.example/a?id=2"),  # escaped "_"
    ("https://news.example/a?b=1&&c=2", "https://news.example/a?b=1&c=2"),
    ("https://news.example/a?utm_source=x", "https://news.example/a"),  # no dangling "?"
    ("https://news.example/s?ref=home&share=1&q=x", "https://news.example/s?ref=home&q=x"),
    # fragment dropped
    ("https://news.example/a#comments", "https://news.example/a"),
    ("https://news.example/a?id=1#top", "https://news.example/a?id=1"),
    # scheme and host lower-cased, path case kept
    ("HTTPS://News.EXAMPLE/Politics/Story", "https://news.example/Politics/Story"),
    ("https://news.example./a", "https://news.example/a"),
    # default ports dropped, others kept
    ("http://news.example:80/a", "http://news.example/a"),
    ("https://news.example:443/a", "https://news.example/a"),
    ("https://news.example:80/a", "https://news.example:80/a"),
    ("http://news.example:8080/a", "http://news.example:8080/a"),
    ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
    # an empty path is "/"; surrounding blanks are not part of the URL
    ("https://news.example", "https://news.example/"),
    ("  https://news.example/a\n", "https://news.example/a"),
    # non-ASCII is made safe the way browsers send it
    ("https://bücher.example/straße?q=ä", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"),
])
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_canonicalize_is_idempotent() -> None:
    url = "HTTP://News.Example:80/a/b?id=1&utm_source=x&Z=%7E#frag"
    once = canonicalize(url)
    assert canonicalize(once) == once


@pytest.mark.parametrize("url", [
    "", "not a url", "/relative/path", "//news.example/a", "news.example/a", "ftp://news.example/a",
    "mailto:desk@news.example", "javascript:void(0)", "http://", "https:///a",
    "http://news.example:99999/", "http://news.example:port/", "http://[::1/",
])
def test_invalid_urls_raise_invalid_url_naming_them(url: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        canonicalize(url)
    assert repr(url) in str(caught.value)
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError keep working


@pytest.mark.parametrize("name, tracking", [
    ("utm_source", True), ("UTM_TERM", True), ("fbclid", True), ("gclid", True),
    ("pk_campaign", True),
    ("id", False), ("page", False), ("q", False), ("utm", False), ("ref", False),
])
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking


def test_host_of() -> None:
    assert host_of("https://News.Example:8443/a") == "news.example"
    assert host_of("not a url") == ""


def _urls_to_compare() -> list[str]:
    """Links of the test pages, and URLs made of every ASCII character in every part."""
    import random
    import re
    from pathlib import Path

    urls = []
    for page in sorted((Path(__file__).parent / "data" / "extract").glob("*.html")):
        urls += re.findall(r'href="(https?://[^"]*)"', page.read_text("utf-8", "replace"))
    rng = random.Random(7)
    ascii_chars = [chr(i) for i in range(32, 127)] + ["\t", "\n", "é", "%zz", "%2F", "//", ".."]
    hosts = ["news.example", "NEWS.Example.", "a-b.example", "a..b", "xn--bcher-kva.example", "a_b.example",
             "1.2.3.4", "-x.example", "x" * 64 + ".example", "news.example:8080", "news.example:",
             "news.example:080", "news.example:99999"]
    for _ in range(3000):
        host = rng.choice(hosts)
        path = "/" + "".join(rng.choice(ascii_chars) for _ in range(rng.randint(0, 6)))
        query = "".join(rng.choice(ascii_chars) for _ in range(rng.randint(0, 6)))
        fragment = "".join(rng.choice(ascii_chars) for _ in range(rng.randint(0, 3)))
        url = "%s://%s%s" % (rng.choice(["http", "https", "HTTP"]), host, path)
        url += ("?" + query if rng.random() < 0.5 else "") + ("#" + fragment if rng.random() < 0.3 else "")
        urls.append(url)
    return urls


def test_plain_urls_skip_w3lib_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import pipelines.canonical as canonical

    def outcome(url: str) -> str:
        try:
            return canonicalize(url)
        except InvalidURL:
            return "invalid"

    urls = _urls_to_compare()
    plain = sum(1 for u in urls if canonical._PLAIN_URL.fullmatch(u.strip()))
    fast = [outcome(u) for u in urls]
    monkeypatch.setattr(canonical, "_PLAIN_URL", re.compile(r"(?!)"))  # every URL through w3lib
    slow = [outcome(u) for u in urls]
    assert plain > 500  # the comparison covers the fast path
    assert [(u, f) for u, f, s in zip(urls, fast, slow, strict=True) if f != s] == []


def test_canonical_link_is_canonicalize_of_urljoin() -> None:
    from urllib.parse import urljoin, urlunsplit

    from pipelines.canonical import canonical_link_parts

    def canonical_link(base: str, href: str) -> str:
        return urlunsplit(canonical_link_parts(base, href))

    def outcome(function, *args: str) -> str:  # type: ignore[no-untyped-def]
        try:
            return str(function(*args))
        except InvalidURL:
            return "invalid"

    hrefs = _urls_to_compare() + ["/a/b", "../c?d=1", "//cdn.example/x", "#top", "?q=1", ""]
    for base in ("https://news.example/a/b?x=1", "http://news.example:8080/"):
        joined = [outcome(lambda b, h: canonicalize(urljoin(b, h)), base, h) for h in hrefs]
        assert [outcome(canonical_link, base, h) for h in hrefs] == joined


def test_canonical_parts_are_those_of_the_canonical_url() -> None:
    from urllib.parse import urljoin, urlsplit

    from pipelines.canonical import canonical_link_parts, canonical_parts

    for url in _urls_to_compare():
        try:
            canonical = canonicalize(url)
        except InvalidURL:
            continue
        parts = canonical_parts(url)
        assert parts == urlsplit(canonical)
        assert (parts.hostname, parts.port) == (urlsplit(canonical).hostname, urlsplit(canonical).port)
    for url in _urls_to_compare():
        try:
            canonical = canonicalize(urljoin("https://news.example/", url))
        except InvalidURL:
            continue
        assert canonical_link_parts("https://news.example/", url) == urlsplit(canonical)


def test_plain_host_and_path_are_those_of_the_canonical_link() -> None:
    from urllib.parse import urljoin

    from pipelines.canonical import canonical_link_parts, plain_host_and_path

    seen = 0
    for href in _urls_to_compare() + ["http://news.example/a;b/x.jpg;", "https://news.example/a.pdf"]:
        quick = plain_host_and_path(href)
        if quick is None:
            continue
        seen += 1
        for base in ("https://news.example/a/b", "http://other.example/"):
            try:
                parts = canonical_link_parts(base, href)
            except InvalidURL:  # a plain spelling with a bad host (a 64-character label)
                assert quick[0].startswith("x" * 64), href
                continue
            assert quick == (parts.hostname or "", parts.path), href
            assert parts == canonical_link_parts(base, urljoin(base, href))
    assert seen > 300


# -- hosts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "http://./", "http://../x", "http://exa mple.com/", "http://a..b/", "http://ex%20ample.com/",
    "http://.example.com/", "http://ex!ample.com/", "http://a:b@/",
    "http://" + "x" * 64 + ".example/", "http://" + ".".join(["abcdefghi"] * 26) + "/",
    "http://1.2.3.999/", "http://2130706433/", "http://0x7f.1/", "http://01.02.03.04/",
    "http://[zz]/", "http://[fe80::1%25eth0]/", "http://a\ufffdb.example/", "http://a\u3000b.example/",
])
def test_bad_hosts_are_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonicalize(url)


@pytest.mark.parametrize("url, expected", [
    ("http://B\u00dcCHER.example/", "http://xn--bcher-kva.example/"),
    ("http://\u2603.net/a", "http://xn--n3h.net/a"),
    ("http://\u00e9cole.example.", "http://xn--cole-9oa.example/"),
    ("http://a_b.example/", "http://a_b.example/"),  # "_" is in real host names
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
    ("http://[::FFFF:1.2.3.4]/", "http://[::ffff:1.2.3.4]/"),
    ("http://" + ".".join(["abcdefghi"] * 25) + "/", "http://" + ".".join(["abcdefghi"] * 25) + "/"),
])
def test_good_hosts_are_lower_case_ascii(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize("href", ["http://[/", "//[x/", "http://a]b/", "http://[::1", "https://[zz]/x"])
def test_a_malformed_link_is_an_invalid_url_not_a_bare_value_error(href: str) -> None:
    from pipelines.canonical import canonical_link_parts

    with pytest.raises(InvalidURL):
        canonical_link_parts("https://news.example/a", href)


# -- properties -------------------------------------------------------------------------------
def _hypothesis():  # type: ignore[no-untyped-def]
    return pytest.importorskip("hypothesis")


def _url_texts():  # type: ignore[no-untyped-def]
    """Arbitrary text, and text shaped like a URL with arbitrary parts."""
    st = _hypothesis().strategies
    part = st.text(max_size=30)
    host = st.one_of(part, st.from_regex(r"[A-Za-z0-9._\-]{0,20}", fullmatch=True),
                     st.sampled_from(["news.example", "[::1]", "1.2.3.4", "b\u00fccher.example", "."]))
    shaped = st.builds(lambda scheme, h, port, rest: "%s://%s%s%s" % (scheme, h, port, rest),
                       st.sampled_from(["http", "HTTPS", "ftp", ""]), host,
                       st.sampled_from(["", ":80", ":8080", ":", ":x", ":99999"]), part)
    return st.one_of(st.text(max_size=80), shaped)


def test_canonicalize_raises_only_invalid_url_and_is_idempotent() -> None:
    from urllib.parse import urlsplit

    from pipelines.canonical import valid_host

    hypothesis = _hypothesis()

    @hypothesis.settings(max_examples=3000, deadline=None, derandomize=True)
    @hypothesis.given(_url_texts())
    def check(text: str) -> None:
        try:
            once = canonicalize(text)
        except InvalidURL:
            return
        assert canonicalize(once) == once
        parts = urlsplit(once)
        assert parts.scheme in ("http", "https") and parts.hostname
        bare = parts.hostname
        assert valid_host(bare) == bare
        assert once.isascii() and " " not in once

    check()


def test_canonical_links_raise_only_invalid_url() -> None:
    from pipelines.canonical import canonical_link_parts

    hypothesis = _hypothesis()

    @hypothesis.settings(max_examples=2000, deadline=None, derandomize=True)
    @hypothesis.given(_url_texts())
    def check(href: str) -> None:
        try:
            canonical_link_parts("https://news.example/a/b?c=1", href)
        except InvalidURL:
            pass

    check()
