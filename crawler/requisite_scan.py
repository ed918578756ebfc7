"""The page requisites of an HTML page, found by scanning its text (its CSS: crawler/requisite_css.py).

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

from crawler.links import unescape_attribute
from crawler.requisite_css import scan_css
from crawler.requisite_found import Found, Requisite

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
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".bmp", ".ico")
_ICON_RELS = frozenset({"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_PRELOAD_KINDS = {"style": "stylesheet", "font": "font", "image": "image", "script": "script"}
_IMAGE_METAS = frozenset({"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"})

# A srcset candidate: its URL runs to the next whitespace (it may hold commas), then its
# descriptors run to the next comma outside parentheses (the HTML standard's parsing).
_SRCSET_URL = re.compile(r"[\s,]*+(\S++)", re.ASCII)
_SRCSET_DESCRIPTORS = re.compile(r"[^,(]*+(?:\([^)]*+\)?+[^,(]*+)*+,?+")


def html_requisites(text: str, base_url: str, limit: int) -> tuple[list[Requisite], bool]:
    """The requisites of an HTML page at `base_url` (its `<base href>` honoured), in document order.

    With `limit` > 0 the scan stops at the first distinct requisite past `limit`, and the second
    value says so; with 0, there is no bound.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    found = Found(base_url, limit, expect_base=_BASE_HINT.search(text) is not None)
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
                scan_css(text, pos, closing.start() if closing else end, found)
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


def _tag(found: Found, name: str, values: dict[str, str]) -> None:
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


def _srcset(found: Found, first: str | None, srcset: str) -> None:
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


def _style_attribute(found: Found, values: dict[str, str]) -> None:
    style = values.get("style")
    if style and "(" in style:
        scan_css(style, 0, len(style), found)


def _is_image_path(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(_IMAGE_EXTENSIONS)
