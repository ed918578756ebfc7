"""The links of an HTML page, found by scanning its text instead of building a DOM.

The spider needs three things of every page: the `href` of each `<a>`, of each feed
`<link rel=alternate type=...>`, and of the first `<base href>`. Building an lxml tree (what a
parsel Selector does) for that cost about a third of the crawl process's CPU; this scanner,
in the manner of Heritrix's ExtractorHTML, is a few times cheaper. It follows the HTML tokenizer
where that decides what is a tag, as libxml2 2.14 (bundled with lxml) does:

- comments (`<!-- -->`, `<!-->`), `<!doctype>`, `<?...>` and other bogus comments hold no tags;
- the text of `<script>`, `<style>`, `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`, `<title>`
  and `<textarea>` holds no tags (up to the matching end tag), nor does what follows
  `<plaintext>`; `<noscript>` is ordinary markup; a self-closed `<script/>` holds nothing;
- a tag ends at the first `>` outside a quoted attribute value; attributes of other tags
  (which may hold markup as text) are skipped whole; an unfinished tag at the end is dropped;
- names are case-insensitive, the first of repeated attributes wins, values are quoted,
  single-quoted or bare, and character references in them are decoded by the rules for
  attributes (`&copy=2` stays as it is, `&amp;` is `&`).

tests/test_crawler_links.py holds the cases, and compares the result with lxml's on real pages.
"""
from __future__ import annotations

import html
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any

# What holds no tags until its end tag (libxml2 2.14 treats title and textarea so too).
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "title", "textarea"})

_ATTRS = r"""(?:[\s/]*+[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^\s>]*+)|(?!\s*+=)))*+[\s/]*+"""
# Everything up to the next tag that matters, consumed inside the regex engine (atomically, so
# a page without a closing quote or bracket cannot make it backtrack), then that tag or the end.
_NEXT = re.compile(
    r"""(?:[^<]++"""
    r"""|<!--(?:-?>|.*?(?:--!?>|\Z))"""  # comments, also <!--> and <!--->
    r"""|<[!?][^>]*+(?:>|\Z)"""  # doctype, <?...>, <![CDATA[...]> outside foreign content
    r"""|</[A-Za-z]""" + _ATTRS + r""">"""  # end tags (their attributes mean nothing)
    r"""|</[^A-Za-z>][^>]*+>|</>"""  # bogus end tags: a comment, or nothing at all
    r"""|<(?!(?:a|link|base|script|style|xmp|iframe|noembed|noframes|title|textarea|plaintext)[\s/>])"""
    r"""[A-Za-z][^\s/>]*+""" + _ATTRS + r""">"""
    r"""|<(?![A-Za-z!?/])"""  # a "<" that starts no tag is text
    r""")*+"""
    r"""(?:<(?P<name>a|link|base|script|style|xmp|iframe|noembed|noframes|title|textarea|plaintext)"""
    r"""(?=[\s/>])(?P<attrs>""" + _ATTRS + r""")>|\Z)""",
    re.IGNORECASE | re.DOTALL | re.ASCII,  # ASCII: \s is HTML's whitespace, and no-break space is not
)
_ATTR = re.compile(r"""([^\s/>][^\s/>=]*+)(?:\s*+=\s*+("[^"]*+"|'[^']*+'|(?!["'])[^\s>]*+))?+""", re.ASCII)
# The usual <a>: href first, quoted (so it is the first href, and nothing before it to tokenize).
_FIRST_HREF = re.compile(r"""\s+href\s*+=\s*+(?:"([^"]*+)"|'([^']*+)')""", re.IGNORECASE | re.ASCII)
_END_TAGS: dict[str, re.Pattern[str]] = {
    name: re.compile(r"</%s[\s/>]" % name, re.IGNORECASE | re.ASCII) for name in _RAW_TEXT
}
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_WANTED = {"a": ("href",), "link": ("href", "rel", "type"), "base": ("href",)}


@dataclass
class PageLinks:
    """What a page links to, in document order."""

    base: str | None = None  # the first <base href>, as written (decoded, not resolved)
    anchors: list[str] = field(default_factory=list)  # <a href>
    feeds: list[str] = field(default_factory=list)  # <link rel=alternate href> of a feed type
    cut: bool = field(default=False, compare=False)  # the scan stopped at its `max_links`


def scan_links(text: str, feed_types: tuple[str, ...] | frozenset[str], max_links: int = 0) -> PageLinks:
    """The `<a href>`, feed `<link rel=alternate href>` and `<base href>` values of an HTML page.

    A `<link>` counts when its rel is exactly "alternate" and its type one of `feed_types`
    (as the XPath `//link[@rel='alternate'][@type=...]` selects). Values are not stripped.
    With `max_links`, the scan stops at the first link past that many (anchors and feeds):
    a page of a million links costs no more than one of `max_links`.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    found = PageLinks()
    room = max_links or -1  # links still wanted; -1: no bound
    match_next = _NEXT.match
    pos, end = 0, len(text)
    while pos < end:
        match = match_next(text, pos)
        if match is None:  # an unfinished tag at the end of the page: dropped
            break
        name = match.group("name")
        if name is None:
            break  # the end
        pos = match.end()
        name = name.lower()
        attrs = match.group("attrs")
        if name in _RAW_TEXT:
            if not attrs.endswith("/"):  # libxml2 takes <script/> as closed
                closing = _END_TAGS[name].search(text, pos)
                pos = closing.start() if closing else end
            continue
        if name == "plaintext":
            break
        if name == "a":
            first = _FIRST_HREF.match(attrs)
            if first is not None:
                if not room:
                    found.cut = True
                    break
                room -= 1
                value = first.group(1)
                found.anchors.append(unescape_attribute(value if value is not None else first.group(2)))
                continue
        values = _attributes(attrs, _WANTED[name])
        href = values.get("href")
        if href is None:
            continue
        if name == "base":
            if found.base is None:
                found.base = href
            continue
        if name == "link" and (values.get("rel") != "alternate" or values.get("type") not in feed_types):
            continue
        if not room:
            found.cut = True
            break
        room -= 1
        (found.anchors if name == "a" else found.feeds).append(href)
    return found


def _attributes(attrs: str, wanted: tuple[str, ...]) -> dict[str, str]:
    """The decoded values of the `wanted` attributes (lower-case names; the first one wins)."""
    values: dict[str, str] = {}
    for match in _ATTR.finditer(attrs):
        name = match.group(1).lower()
        if name not in wanted or name in values:
            continue
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        values[name] = unescape_attribute(value)
    return values


def unescape_attribute(value: str) -> str:
    """An attribute value with its character references decoded, as the HTML tokenizer does."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in value:
        return value
    return _CHARREF.sub(_charref, value)


def _charref(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref[0] == "#" or ref in _HTML5_ENTITIES:
        return html.unescape(match.group(0))
    # the longest known name it starts with; in an attribute value, a name without its ";"
    # followed by a letter, a digit or "=" is left alone (a query string such as ?a=1&copy=2)
    for size in range(len(ref) - 1, 1, -1):
        if ref[:size] in _HTML5_ENTITIES:
            following = ref[size]
            if following.isalnum() or following == "=":
                return match.group(0)
            return _HTML5_ENTITIES[ref[:size]] + ref[size:]
    return match.group(0)


class RecentMap:
    """A map that keeps what was used recently, in bounded memory: two generations of at most
    `size` entries each; when the young one is full it becomes the old one and the old one goes.
    Cheaper than an exact LRU (no reordering on every hit) and as good for links that repeat."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._young: dict[Any, Any] = {}
        self._old: dict[Any, Any] = {}

    def get(self, key: Hashable) -> Any:
        """The value of `key`, or None."""
        value = self._young.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self[key] = value
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        if value is None:
            raise ValueError("None means missing here")
        young = self._young
        if len(young) >= self.size and key not in young:
            self._old, self._young = young, {}
            young = self._young
        young[key] = value

    def __len__(self) -> int:
        return len(self._young) + len(self._old)


def join_key(href: str, base: str, origin: str, scheme: str) -> tuple[str, str]:
    """A key for `urljoin(base, href)` that is the same for every base giving the same result.

    `origin` and `scheme` are the base's "scheme://netloc" and scheme. An absolute http(s) URL
    resolves the same against every base of a scheme, a root-relative path against every base
    of an origin; anything else is keyed with the whole base.
    """
    first = href[:1]
    if first == "/":
        second = href[1:2]
        if second != "/":
            return origin, href
        if href[2:3].isalnum():
            return scheme, href
        return base, href
    if first in ("h", "H"):
        head = href[:8].lower()
        if head.startswith("http://"):
            if href[7:8].isalnum():
                return scheme, href
        elif head == "https://" and href[8:9].isalnum():
            return scheme, href
    return base, href
