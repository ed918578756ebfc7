"""`newsarchive extract`: one HTML file -> the item JSON on stdout.

A --url that is not an absolute http(s) URL is a usage error (exit 2); a file that is binary
data, not text (the crawl's `skipped:binary`), is refused (exit 1) before any parsing."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

from crawler.commands import EXIT_FAILURE, EXIT_OK, UsageError

HELP = "one HTML file -> the item JSON on stdout"
WARC_FIELDS = ("fetched_at", "warc", "run")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.html")
    parser.add_argument("--url", help="the page's http(s) URL (default: a file: URL)")


_HOST = re.compile(r"[a-z0-9_.-]+|\[[0-9a-f:.]+\]")  # as canonicalized: lower case, IDNA, [IPv6]


def _check_url(url: str) -> None:
    from pipelines.canonical import InvalidURL, canonical_parts
    try:
        netloc = canonical_parts(url).netloc
    except InvalidURL as err:
        raise UsageError("--url %s" % err) from None
    host = netloc[:netloc.index("]") + 1] if netloc.startswith("[") else netloc.partition(":")[0]
    if not _HOST.fullmatch(host):
        raise UsageError("--url %r: %r is not a host name" % (url, host))


def not_text(body: bytes) -> str | None:
    """Why `body` is no HTML to extract from, or None: a NUL byte early on (the crawl's test), or
    control bytes that no text has (a short binary file need not hold a NUL)."""
    from pipelines.extraction_types import looks_binary
    if looks_binary(body):
        return "binary data, not HTML (a NUL byte in its first 4 KB)"
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: half its bytes may be NULs
        return None
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    if controls * 20 > len(head):
        return "binary data, not HTML (%d control bytes in its first %d)" % (controls, len(head))
    return None


def run(args: argparse.Namespace) -> int:
    if args.url is not None:
        _check_url(args.url)
    try:
        with open(args.file, "rb") as fh:
            body = fh.read()
    except OSError as err:
        print("newsarchive extract: cannot read %s: %s" % (args.file, err.strerror), file=sys.stderr)
        return EXIT_FAILURE
    why = not_text(body)
    if why is not None:
        print("newsarchive extract: %s: %s" % (args.file, why), file=sys.stderr)
        return EXIT_FAILURE
    url = args.url or "file://" + os.path.abspath(args.file)
    from pipelines.extract import ArticleExtractor
    from pipelines.process import Page, build_item

    extractor = ArticleExtractor()
    extraction = extractor.extract(body, url)
    if extraction.article is None:
        print("newsarchive extract: %s: no article (%s)" % (args.file, extraction.reason), file=sys.stderr)
        return EXIT_FAILURE
    item = build_item(Page(url=url, body=body), extraction, None, extractor.info)
    for name in WARC_FIELDS:
        item.pop(name, None)
    print(json.dumps(item, ensure_ascii=False, indent=2))
    return EXIT_OK
