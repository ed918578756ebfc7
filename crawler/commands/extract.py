"""`newsarchive extract`: one HTML file -> the item JSON on stdout; or, with `--fetch URL`, one
page fetched live (as trafilatura's `-u` and Scrapy's `parse` do) -> its item, or why there is none.

A --url that is not an absolute http(s) URL is a usage error (exit 2); a file that is binary
data, not text (the crawl's `skipped:binary`), is refused (exit 1) before any parsing.

`--fetch` runs the crawl's own downloader stack for one request, in a Scrapy run of its own: the
same private-address guard (`--allow-private` lets it reach 127.0.0.1), robots.txt middleware,
USER_AGENT, DOWNLOAD_MAXSIZE, decompression and redirect limits (`-s` changes a setting as for
`crawl`), with none of the archive's components: no collection is opened, nothing is written.
No item (not an article, a status other than 200, refused by robots.txt or the guard): the
reason on stderr, exit 1."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from crawler.commands import EXIT_FAILURE, EXIT_OK, UsageError
from pipelines.values import Page

HELP = "one HTML file -> the item JSON on stdout"
WARC_FIELDS = ("fetched_at", "warc", "run")


# the crawl's downloader middlewares that archive or remember: a live look leaves them out
ARCHIVING_MIDDLEWARES = ("crawler.capture.CaptureMiddleware", "crawler.conditional.ConditionalRequestMiddleware",
                         "crawler.resume_skip.ResumeSkipMiddleware", "crawler.site_stats.SiteStatsMiddleware")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.html", nargs="?", help="the HTML file (or --fetch URL)")
    parser.add_argument("--url", help="the page's http(s) URL (default: a file: URL)")
    parser.add_argument("--fetch", metavar="URL", help="fetch URL live, as the crawl would, and extract it "
                                                       "(nothing is archived)")
    parser.add_argument("--allow-private", action="store_true",
                        help="with --fetch: allow loopback, private and link-local addresses")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="settings", help="with --fetch: override a Scrapy setting")


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
    if (args.file is None) == (args.fetch is None):
        raise UsageError("give an HTML file or --fetch URL (one of them)")
    if args.fetch is not None:
        if args.url is not None:
            raise UsageError("--url names a file's page; --fetch fetches its own")
        _check_url(args.fetch)
        return fetch_and_extract(args)
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


def fetch_and_extract(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import parse_setting_overrides
    from crawler.crawl_config import ExtractConfig
    from pipelines.extract import ArticleExtractor
    from pipelines.extraction_types import ExtractOptions
    from pipelines.process import build_item, skip_outcome
    from pipelines.values import Outcome

    settings = fetch_settings(args.allow_private, parse_setting_overrides(args.settings),
                              getattr(args, "verbose", 0))
    fetched = fetch_one(args.fetch, settings)
    if fetched.refused is not None:
        print("newsarchive extract: %s: %s" % (args.fetch, fetched.refused), file=sys.stderr)
        return EXIT_FAILURE
    page = fetched.page
    assert page is not None
    outcome = skip_outcome(page)
    if outcome is None:
        config = ExtractConfig.from_settings(settings)
        extractor = ArticleExtractor(ExtractOptions(min_text_length=config.min_text_length))
        extraction = extractor.extract(page.body, page.url, encoding=page.encoding)
        if extraction.article is not None:
            item = build_item(page, extraction, None, extractor.info)
            for name in WARC_FIELDS:
                item.pop(name, None)
            print(json.dumps(item, ensure_ascii=False, indent=2))
            return EXIT_OK
        outcome = Outcome.of_failed_extraction(extraction.reason)
    why = "%s: %s" % (outcome.kind.replace("_", " "), outcome.detail) if outcome.detail else str(outcome.kind)
    print("newsarchive extract: %s: no item (%s)%s" % (
        args.fetch, why, "" if page.url == args.fetch else "; fetched as %s" % page.url), file=sys.stderr)
    return EXIT_FAILURE


def fetch_settings(allow_private: bool, overrides: dict[str, str], verbose: int) -> Any:
    """The crawl's settings without the archive: its downloader middlewares but those that archive."""
    from crawler.addon import COMPONENTS, HANDLER
    from crawler.crawl_config import check_settings, project_settings
    from crawler.run_crawl import LOG_LEVELS

    middlewares = {path: order for path, order in COMPONENTS["DOWNLOADER_MIDDLEWARES"].items()
                   if path not in ARCHIVING_MIDDLEWARES}
    settings = project_settings({
        "ADDONS": {},  # the archive's add-on: capture, item pipeline, run extension, store
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},  # the crawl's (DOWNLOAD_MAXSIZE as it cuts)
        "EXTENSIONS": {"scrapy.extensions.spiderstate.SpiderState": None,
                       "crawler.progress_crawl.CrawlProgress": None},
        "FETCH_ALLOW_PRIVATE": allow_private,
        "FETCH_PRIVATE_HINT": "pass --allow-private",
        "HTTPERROR_ALLOW_ALL": True,  # a 404 is an answer to show, not a failure
        "LOG_LEVEL": LOG_LEVELS[min(verbose, 2)],
        "LOG_INSTALL_ROOT_HANDLER": False,
        "LOGSTATS_INTERVAL": 0,
        **overrides,
    })
    check_settings(settings)
    return settings


@dataclass
class Fetched:
    page: Page | None = None
    refused: str | None = None  # why there is no response: robots.txt, the guard, a failed fetch


def fetch_one(url: str, settings: Any) -> Fetched:
    """Fetch `url` with a one-request Scrapy run in this process (its reactor: once a process)."""
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    from crawler.addon import page_of

    fetched = Fetched()

    class OnePage(Spider):
        name = "fetch"

        async def start(self) -> AsyncIterator[Request]:
            yield Request(url, callback=self.got, errback=self.failed, dont_filter=True)

        def got(self, response: Any) -> None:
            fetched.page = page_of(response)

        def failed(self, failure: Failure) -> None:
            error = failure.value
            message = str(error) or type(error).__name__
            if isinstance(error, IgnoreRequest) and "robots.txt" in message:
                fetched.refused = "refused by robots.txt (%s)" % message
            elif isinstance(error, IgnoreRequest) and "non-public address" in message:
                fetched.refused = "refused: %s (to fetch it, pass --allow-private)" % message
            else:
                fetched.refused = "not fetched: %s: %s" % (type(error).__name__, message)

    process = CrawlerProcess(settings)
    process.crawl(OnePage)
    process.start()
    if fetched.page is None and fetched.refused is None:
        fetched.refused = "not fetched (no response and no error: see the log with -v)"
    return fetched
