"""`newsarchive extract`: one HTML file -> the item JSON on stdout."""
from __future__ import annotations

import argparse
import json
import os
import sys

from crawler.commands import EXIT_FAILURE, EXIT_OK

HELP = "one HTML file -> the item JSON on stdout"
WARC_FIELDS = ("fetched_at", "warc", "run")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.html")
    parser.add_argument("--url", help="the page's URL (default: a file: URL)")


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as fh:
            body = fh.read()
    except OSError as err:
        print("newsarchive extract: cannot read %s: %s" % (args.file, err.strerror), file=sys.stderr)
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
