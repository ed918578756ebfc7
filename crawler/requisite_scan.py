"""The page requisites of an HTML page or a stylesheet, found by scanning its text.

What a browser fetches to render a page (stylesheets, images, fonts, scripts, icons, posters), in
document order and deduplicated, as absolute http(s) URLs without fragments. Like crawler/links.py,
which it follows in what is a tag (comments, raw-text elements such as `<script>`, quoting,
character references), it builds no DOM: it runs in the reactor for every page and stylesheet,
so it is a bounded scan, and junk input gives fewer requisites, never an exception.

Not requisites: video and audio bodies (`<video src>`, `<source src>`, `<track>`), frames,
anchors, and data:, blob:, javascript: or about: URLs. `<noscript>` is scanned as markup, as
links.py does (its images are what a replay without scripts shows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse, urlsplit, urlunparse

from crawler.links import unescape_attribute

# Tags that hold requisites, or text that holds no tags (as in links.py), or both (style).
_TAGS = ("link|base|img|image|source|script|style|video|input|object|meta"
         "|xmp|iframe|noembed|noframes|title|textarea|plaintext")
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "title", "textarea"})
_VALUE = r"""\s*+=\s*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^\s>]*+)"""
_ATTRS = r"""(?:[\s/]*+[^\s/>][^\s/>=]*+(?:%s|(?!\s*+=)))*+[\s/]*+""" % _VALUE
# The attributes of a tag without a style attribute: any other tag is skipped inside the regex.
_ATTRS_UNSTYLED = r"""(?:[\s/]*+(?!style[\s/>=])[^\s/>][^\s/>=]*+(?:%s|(?!\s*+=)))*+[\s/]*+""" % _VALUE
_NEXT = re.compile(
    r"""(?:[^<]++"""
    r"""|<!--(?:-?>|.*?(?:--!?>|\Z))"""
    r"""|<[!?][^>]*+(?:>|\Z)"""
    r"""|</[A-Za-z]""" + _ATTRS + r""">"""
    r"""|</[^A-Za-z>][^>]*+>|</>"""
    r"""|<(?!(?:""" + _TAGS + r""")[\s/>])[A-Za-z][^\s/>]*+""" + _ATTRS_UNSTYLED + r""">"""
    r"""|<(?![A-Za-z!?/])"""
    r""")*+"""
    r"""(?:<(?P<name>""" + _TAGS + r""")(?=[\s/>])(?P<attrs>""" + _ATTRS + r""")>"""
    r"""|<[A-Za-z][^\s/>]*+(?P<styled>""" + _ATTRS + r""")>"""  # any other tag with a style attribute
    r"""|\Z)""",
    re.IGNORECASE | re.DOTALL | re.ASCII,
)
_ATTR = re.compile(r"""([^\s/>][^\s/>=]*+)(?:\s*+=\s*+("[^"]*+"|'[^']*+'|(?!["'])[^\s>]*+))?+""", re.ASCII)
_END_TAGS = {name: re.compile(r"</%s[\s/>]" % name, re.IGNORECASE | re.ASCII) for name in _RAW_TEXT}
_BASE_HINT = re.compile(r"<base[\s/>]", re.IGNORECASE | re.ASCII)
_WANTED: dict[str, frozenset[str]] = {
    "link": frozenset({"rel", "href", "as", "imagesrcset"}),
    "base": frozenset({"href"}),
    "img": frozenset({"src", "srcset"}),
    "image": frozenset({"src", "srcset", "href", "xlink:href"}),  # <svg><image>; in HTML, <image> is <img>
    "source": frozenset({"srcset"}),  # its src is a video or audio body
    "script": frozenset({"src"}),
    "video": frozenset({"poster"}),
    "input": frozenset({"type", "src"}),
    "object": frozenset({"type", "data"}),
    "meta": frozenset({"property", "name", "content"}),
}
# What a tag holds when it can be a requisite: most <meta> and inline <script> cannot.
_HINTS = {"meta": "image", "script": "src", "input": "image", "object": "data", "video": "poster", "source": "srcset"}
_ICON_RELS = frozenset({"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_PRELOAD_KINDS = {"style": "stylesheet", "font": "font", "image": "image", "script": "script"}
_IMAGE_METAS = frozenset({"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"})
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".bmp", ".ico")
_FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")

# A srcset candidate: its URL runs to the next whitespace (it may hold commas), then its
# descriptors run to the next comma outside parentheses (the HTML standard's parsing).
_SRCSET_URL = re.compile(r"[\s,]*+(\S++)", re.ASCII)
_SRCSET_DESCRIPTORS = re.compile(r"[^,(]*+(?:\([^)]*+\)?+[^,(]*+)*+,?+")

# CSS is scanned in three modes, each a regex that skips what does not matter to it (comments,
# strings, escapes, other rules) inside the regex engine and stops at what does, or at the end:
# the stylesheet itself, an @font-face block (its url()s are fonts) and an image-set() (its
# strings are URLs too).
_CSS_STRING = r"""(?:"(?:[^"\\\n]++|\\[\s\S])*+"?+|'(?:[^'\\\n]++|\\[\s\S])*+'?+)"""
_CSS_URL_ARGUMENT = (r"""\(\s*+(?:"(?P<%sdq>(?:[^"\\\n]++|\\[\s\S])*+)"|'(?P<%ssq>(?:[^'\\\n]++|\\[\s\S])*+)'"""
                     r"""|(?P<%sbare>(?:[^\s"'()\\]++|\\[0-9a-fA-F]{1,6}\s?|\\[\s\S])*+))\s*+\)""")
# Tokens are found at their "(": what precedes it is looked at behind, so that the regex need not
# stop at every identifier (url( is not myurl( but is URL().
_CSS_URL = r"""(?<![\w-]url)(?<=url)""" + _CSS_URL_ARGUMENT % ("", "", "")


def _css_mode(wanted: str, stops: str, strings_wanted: bool = False) -> re.Pattern[str]:
    """A regex that skips to the next `wanted` token: runs of other characters than "(",
    quotes, "/", backslashes and `stops`, comments, strings (unless wanted) and escapes are
    skipped whole, other characters one by one."""
    skipped = r"""[^(/"'\\%s]++|/\*(?:[^*]++|\*(?!/))*+(?:\*/)?+|\\[\s\S]|""" % stops
    if not strings_wanted:
        skipped += _CSS_STRING + "|"
    unnamed = re.sub(r"\(\?P<\w+>", "(?:", wanted)  # the same tokens, in a lookahead
    return re.compile(r"""(?:%s(?!%s)[\s\S])*+(?:%s|\Z)""" % (skipped, unnamed, wanted), re.IGNORECASE | re.ASCII)


_CSS_SHEET = _css_mode(
    _CSS_URL + r"""|@import(?![\w-])\s*+(?:/\*(?:[^*]++|\*(?!/))*+\*/\s*+)*+(?:url"""
    + _CSS_URL_ARGUMENT % ("iu", "iu", "iu")
    + r"""|"(?P<idq>(?:[^"\\\n]++|\\[\s\S])*+)"|'(?P<isq>(?:[^'\\\n]++|\\[\s\S])*+)')"""
    + r"""|(?P<fontface>@font-face)(?![\w-])|(?<=image-set)(?P<imageset>\()""",
    "@",
)
_CSS_FONT_FACE = _css_mode(_CSS_URL + r"""|(?P<open>\{)|(?P<close>\})|(?P<stop>;)""", "{};")
_CSS_IN_IMAGE_SET = _css_mode(
    _CSS_URL + r"""|"(?P<sdq>(?:[^"\\\n]++|\\[\s\S])*+)"?+|'(?P<ssq>(?:[^'\\\n]++|\\[\s\S])*+)'?+"""
    r"""|(?P<open>\()|(?P<close>\))|(?P<stop>[;{}])""",
    "){};",
    strings_wanted=True,
)
_CSS_VALUES = {"dq": "image", "sq": "image", "bare": "image", "idq": "import", "isq": "import",
               "iudq": "import", "iusq": "import", "iubare": "import", "sdq": "set", "ssq": "set"}
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|([\s\S])|\Z)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_INVISIBLE = re.compile(r"[\t\n\r]")  # removed from URLs by browsers
_BAD_HOST = re.compile(r"[\x00-\x20\x7f]")
_HTTP_NETLOC = re.compile(r"https?://([^/?#]*)", re.ASCII)  # urlparse made the scheme lower-case
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]++(?::[0-9]*+)?+(?:[/?][^#;]*+)?+(?:#|\Z)", re.ASCII)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


@dataclass(frozen=True)
class Requisite:
    """One resource a document needs to render."""

    url: str  # absolute http(s), fragment dropped
    kind: str  # "stylesheet" | "import" | "image" | "font" | "script" | "icon" | "poster" | "other"


def html_requisites(text: str, base_url: str, limit: int) -> tuple[list[Requisite], bool]:
    """The requisites of an HTML page at `base_url` (its `<base href>` honoured), in document order.

    With `limit` > 0 the scan stops at the first distinct requisite past `limit`, and the second
    value says so; with 0, there is no bound.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    found = _Found(base_url, limit, expect_base=_BASE_HINT.search(text) is not None)
    match_next = _NEXT.match
    pos, end = 0, len(text)
    while pos < end and not found.cut:
        match = match_next(text, pos)
        if match is None:  # an unfinished tag at the end: dropped
            break
        name = match.group("name")
        if name is None:
            styled = match.group("styled")
            if styled is None:
                break  # the end
            pos = match.end()
            if "(" in styled or "&" in styled:  # no url() without a parenthesis
                _style_attribute(found, _attributes(styled, frozenset()))
            continue
        pos = match.end()
        name = name.lower()
        attrs = match.group("attrs")
        if name in _RAW_TEXT and not attrs.endswith("/"):  # libxml2 takes <script/> as closed
            closing = _END_TAGS[name].search(text, pos)
            if name == "style":
                _scan_css(text, pos, closing.start() if closing else end, found)
            pos = closing.start() if closing else end
        elif name == "plaintext":
            break
        if "=" not in attrs:  # no values at all: most <script> and <style>
            continue
        wanted = _WANTED.get(name)
        if wanted is None:
            if "(" in attrs or "&" in attrs:
                _style_attribute(found, _attributes(attrs, frozenset()))
            continue
        hint = _HINTS.get(name)
        if hint is not None:
            lower = attrs.lower()
            if hint not in lower and "style" not in lower:
                continue
        values = _attributes(attrs, wanted)
        _tag(found, name, values)
        _style_attribute(found, values)
    return found.requisites, found.cut


def css_requisites(text: str, base_url: str, limit: int) -> tuple[list[Requisite], bool]:
    """The requisites of a stylesheet at `base_url`: its @import rules and url() values, in order.

    `limit` as for `html_requisites`.
    """
    found = _Found(base_url, limit)
    _scan_css(text, 0, len(text), found)
    return found.requisites, found.cut


class _Found:
    """The requisites found so far, deduplicated, up to the limit; joined against the base."""

    def __init__(self, document_url: str, limit: int, expect_base: bool = False) -> None:
        self.document_url = document_url
        self.limit = limit
        self.requisites: list[Requisite] = []
        self.urls: set[str] = set()
        self.cut = False
        self._set_base(document_url)
        # Until the first <base href>, what was found is kept as written: that base applies to
        # the whole page, also to what came before it.
        self._before_base: dict[tuple[str, str], None] | None = {} if expect_base else None

    def _set_base(self, base: str) -> None:
        self.base = base
        self.values: set[str] = set()  # as written: a value seen before needs no second join
        try:
            parts = urlsplit(base)
        except ValueError:
            self.origin: str | None = None
        else:
            sound = parts.scheme in ("http", "https") and _host_of(parts.netloc) is not None
            self.origin = "%s://%s" % (parts.scheme, parts.netloc) if sound else None

    def add(self, value: str, kind: str) -> None:
        if self.cut or _is_data(value) or value in self.values:
            return
        self.values.add(value)
        if self._before_base is not None:
            self._before_base[value, kind] = None
        url = _absolute_url(value, self.base, self.origin)
        if url is None or url in self.urls:
            return
        if 0 < self.limit <= len(self.requisites):
            self.cut = True
            return
        self.urls.add(url)
        self.requisites.append(Requisite(url, kind))

    def set_base(self, href: str) -> None:
        if self._before_base is None:
            return  # not the first <base href>
        before, self._before_base = self._before_base, None
        base = _absolute_url(href, self.document_url, None)
        if base is None:
            return
        self._set_base(base)
        self.requisites, self.urls = [], set()
        for value, kind in before:
            self.add(value, kind)


def _absolute_url(value: str, base: str, origin: str | None) -> str | None:
    """`value` joined to `base` as a browser would, without its fragment; None unless http(s).

    `origin` is the base's "scheme://netloc" when the base is a sound http(s) URL: a path from
    the root without dot segments (most values) is joined by appending it.
    """
    value = value.strip(_C0_AND_SPACE)
    if "\t" in value or "\n" in value or "\r" in value:
        value = _URL_INVISIBLE.sub("", value)
    if not value or value[0] == "#":  # nothing, or a part of the document itself
        return None
    if "\\" in value:  # browsers read a backslash as a slash in http(s) URLs, before the query
        path, question, query = value.partition("?")
        value = path.replace("\\", "/") + question + query
    if origin is not None and value[0] == "/" and value[1:2] != "/":
        path, question, query = value.partition("#")[0].partition("?")
        if "/." not in path and ";" not in path:  # no dot segments, no params: urljoin would append it
            return origin + path + (question + query if query else "")
    scheme = _SCHEME.match(value)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        return None
    if _PLAIN_ABSOLUTE.match(value):  # the usual absolute URL: urljoin would not change it
        url = value.partition("#")[0]
        return url[:-1] if url.find("?") == len(url) - 1 else url
    try:
        if scheme is not None and value.startswith("//", scheme.end()):
            parts = urlparse(value)
            if not parts.netloc:  # "http:///x": no host
                return None
            url = urlunparse(parts)  # what urljoin makes of it, whatever the base is
        else:
            url = urljoin(base, value)
    except ValueError:  # such as an unclosed IPv6 bracket
        return None
    netloc = _HTTP_NETLOC.match(url)
    if netloc is None or _host_of(netloc.group(1)) is None:
        return None
    return url.partition("#")[0]


def _host_of(netloc: str) -> str | None:
    """The host of a URL's "user@host:port", or None if there is none or it cannot be one."""
    if _BAD_HOST.search(netloc):
        return None
    host = netloc.rpartition("@")[2]
    if host[:1] != "[":
        host = host.partition(":")[0]
    return host or None


def _attributes(attrs: str, wanted: frozenset[str]) -> dict[str, str]:
    """The decoded values of the `wanted` attributes and of style (lower-case names; the first wins)."""
    values: dict[str, str] = {}
    for match in _ATTR.finditer(attrs):
        name = match.group(1).lower()
        if name in values or (name not in wanted and name != "style"):
            continue
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        values[name] = unescape_attribute(value)
    return values


def _tag(found: _Found, name: str, values: dict[str, str]) -> None:
    get = values.get
    if name == "link":
        rels = get("rel", "").lower().split()
        href = get("href")
        if "stylesheet" in rels:
            kind = "stylesheet"
        elif _ICON_RELS.intersection(rels):
            kind = "icon"
        elif "modulepreload" in rels:
            kind = "script"
        elif "preload" in rels:
            kind = _PRELOAD_KINDS.get(get("as", "").strip().lower(), "")
            if kind == "image" and "imagesrcset" in values:
                _srcset(found, href, values["imagesrcset"])
                return
        else:
            return
        if href is not None and kind:
            found.add(href, kind)
    elif name == "base":
        if "href" in values:
            found.set_base(values["href"])
    elif name in ("img", "image", "source"):
        for attribute in ("src", "href", "xlink:href"):
            if attribute in values:
                found.add(values[attribute], "image")
        if "srcset" in values:
            _srcset(found, None, values["srcset"])
    elif name == "script":
        if "src" in values:
            found.add(values["src"], "script")
    elif name == "video":
        if "poster" in values:
            found.add(values["poster"], "poster")
    elif name == "input":
        if get("type", "").strip().lower() == "image" and "src" in values:
            found.add(values["src"], "image")
    elif name == "object":
        data = get("data")
        if data is not None and (get("type", "").strip().lower().startswith("image/") or _is_image_path(data)):
            found.add(data, "image")
    elif name == "meta":
        key = (get("property") or get("name") or "").strip().lower()
        if key in _IMAGE_METAS and "content" in values:
            found.add(values["content"], "image")


def _srcset(found: _Found, first: str | None, srcset: str) -> None:
    """The candidates of a srcset (after `first`, a plain src), each an image."""
    if first is not None:
        found.add(first, "image")
    pos, end = 0, len(srcset)
    while pos < end and not found.cut:
        url = _SRCSET_URL.match(srcset, pos)
        if url is None:
            break
        candidate = url.group(1)
        pos = url.end()
        if candidate.endswith(","):  # no descriptors: the comma ends the candidate
            candidate = candidate.rstrip(",")
        else:
            descriptors = _SRCSET_DESCRIPTORS.match(srcset, pos)
            pos = descriptors.end() if descriptors else end
        found.add(candidate, "image")


def _style_attribute(found: _Found, values: dict[str, str]) -> None:
    style = values.get("style")
    if style and "(" in style:
        _scan_css(style, 0, len(style), found)


def _scan_css(text: str, pos: int, end: int, found: _Found) -> None:
    """Add the @import and url() values of CSS text[pos:end]: imports as "import", fonts
    (url() in @font-face, or a font file) as "font", anything else as "image"."""
    mode = _CSS_SHEET
    depth = 0  # of braces in @font-face, of parentheses in image-set()
    while pos < end and not found.cut:
        token = mode.match(text, pos, end)
        if token is None:  # cannot happen: each mode matches up to the end
            break
        pos = token.end()
        group = token.lastgroup
        if group is None:
            break  # the end
        value_kind = _CSS_VALUES.get(group)
        if value_kind is not None:
            value = token.group(group)
            if _is_data(value):  # often large: no need to decode it
                continue
            value = _css_unescape(value)
            if value_kind == "set" and depth != 1:
                continue  # a string in a function inside image-set(), such as type("image/avif")
            if mode is _CSS_FONT_FACE or (value_kind == "image" and _is_font_path(value)):
                found.add(value, "font")
            else:
                found.add(value, "import" if value_kind == "import" else "image")
        elif group == "fontface":
            mode, depth = _CSS_FONT_FACE, 0
        elif group == "imageset":
            mode, depth = _CSS_IN_IMAGE_SET, 1
        elif group == "open":
            depth += 1
        elif group == "close":
            depth -= 1
            if depth <= 0:
                mode = _CSS_SHEET
        elif group == "stop" and (mode is _CSS_IN_IMAGE_SET or depth <= 0):
            mode = _CSS_SHEET  # an @font-face without a block, or an image-set() cut short


def _css_unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _CSS_ESCAPE.sub(_css_escape, value)


def _css_escape(match: re.Match[str]) -> str:
    hex_digits, _newline, char = match.groups()
    if hex_digits is not None:
        code = int(hex_digits, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return char or ""  # an escaped newline continues the line; a final backslash is nothing


def _is_data(value: str) -> bool:
    return value[:16].lstrip(_C0_AND_SPACE)[:5].lower() == "data:"


def _is_image_path(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(_IMAGE_EXTENSIONS)


def _is_font_path(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(_FONT_EXTENSIONS)
