"""The requisites of CSS text: its @import rules and url() values (fonts, images), found by a
bounded scan like the HTML one (crawler/requisite_scan.py), never an exception on junk."""
from __future__ import annotations

import re

from crawler.requisite_found import Found, Requisite, is_data

_FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")

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


def css_requisites(text: str, base_url: str, limit: int) -> tuple[list[Requisite], bool]:
    """The requisites of a stylesheet at `base_url`: its @import rules and url() values, in order.

    `limit` as for `html_requisites`.
    """
    found = Found(base_url, limit)
    scan_css(text, 0, len(text), found)
    return found.requisites, found.cut


def scan_css(text: str, pos: int, end: int, found: Found) -> None:
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
            if is_data(value):  # often large: no need to decode it
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


def _is_font_path(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(_FONT_EXTENSIONS)
