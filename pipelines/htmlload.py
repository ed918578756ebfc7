"""Decode page bytes to text and parse them once into an lxml tree."""

from __future__ import annotations

import logging
from functools import lru_cache

from lxml.etree import ElementDefaultClassLookup
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, resolve_encoding

__all__ = ["decode_html", "parse_html", "use_fast_class_lookup"]

logger = logging.getLogger(__name__)

# same settings as trafilatura's parser, so the tree we hand it is the one it would build
_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)

# lxml.html picks the Python class of every element it hands out in a Python callback, only to
# give form controls classes of their own (which neither we nor trafilatura use): 1.5 million
# calls on the 306 eval pages. The same HtmlElement classes picked in C cost a worker ~6% less
# CPU with byte-identical output on those pages (interleaved page by page, /tmp micro-bench).
_HTML_CLASSES = ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


def use_fast_class_lookup(*parsers: HTMLParser) -> None:
    """Make `parsers` build HtmlElement trees without a Python call per element."""
    for parser in parsers:
        parser.set_element_class_lookup(_HTML_CLASSES)


use_fast_class_lookup(_PARSER)
# libxml2 refuses these code points; browsers drop them. They are deleted from the UTF-8 bytes,
# where each is one byte that no other character contains: bytes.translate and parsing bytes
# cost 3.4 ms a page where a regex over the text and parsing the str cost 5.6 (eval pages).
_INVALID_XML_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r")


def _sniff_undeclared(data: bytes) -> str:
    """Pick an encoding for a page that declares none (no BOM, header or meta charset).

    Valid UTF-8 is UTF-8. Otherwise the page is most likely in the legacy Western default
    that browsers assume (windows-1252, a superset of latin-1) unless invalid sequences are
    rare, which points at a UTF-8 page with a few stray bytes.
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return "utf-8" if bad * 10 < non_ascii else "cp1252"


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """Each byte is one character in *codec* (latin-1, windows-125x, koi8-r, ...)."""
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256
    except LookupError:
        return False


def _utf8_despite_meta(data: bytes) -> bool:
    """The ``<meta charset>`` names a single-byte charset the bytes contradict.

    Text with multi-byte UTF-8 sequences that decodes as UTF-8 as a whole is UTF-8: in a
    real latin-1 or windows-125x page every accented letter would have to be followed by
    exactly the right symbols for that to happen. Templates copied from old sites keep
    their ``iso-8859-1`` line long after the content has become UTF-8; decoding as
    declared would turn every "für" into "fÃ¼r".
    """
    if data.isascii():
        return False
    declared = html_body_declared_encoding(data)
    codec = resolve_encoding(declared) if declared else None
    if not codec or not _single_byte(codec):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """Return the page as text.

    *encoding* is the charset from the HTTP Content-Type header, if any. Order as in
    browsers: byte-order mark, *encoding*, ``<meta charset>``, sniffing; never raises.
    A ``<meta charset>`` naming a single-byte charset that the bytes contradict (they are
    valid UTF-8 with non-ASCII text) gives way to UTF-8, as in mature extractors; the
    server's header is not second-guessed.
    """
    if isinstance(data, str):
        return data
    data = bytes(data)
    if not encoding and read_bom(data)[0] is None and _utf8_despite_meta(data):
        return data.decode("utf-8")
    content_type = f"text/html; charset={encoding}" if encoding else None
    _, text = html_to_unicode(content_type, data, auto_detect_fun=_sniff_undeclared)
    return text


def parse_html(text: str) -> HtmlElement | None:
    """Parse *text* into an lxml HTML tree; None when there is no markup to speak of."""
    data = text.encode("utf-8", errors="replace").translate(None, _INVALID_XML_BYTES).strip()
    if not data or b"<" not in data:
        return None
    tree = fromstring(data, parser=_PARSER)  # the parser's encoding wins over a <meta charset>
    if tree is None or not isinstance(tree, HtmlElement):
        return None
    # fromstring() on a fragment returns the fragment element, not the document
    root = tree.getroottree().getroot()
    return root if isinstance(root, HtmlElement) else None
