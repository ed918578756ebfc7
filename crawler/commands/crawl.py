"""`newsarchive crawl`: crawl seeds into a collection."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from typing import Any

from archive.collection import Collection
from crawler.commands import EXIT_FAILURE, EXIT_OK, UsageError, add_root, collection_location
from crawler.commands.argtypes import hours, non_negative

HELP = "crawl seeds into a collection"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("seeds", nargs="+", metavar="SEED", help="page, feed or sitemap URL")
    parser.add_argument("--collection", default="default", metavar="NAME",
                        help="collection name or path (default: default)")
    add_root(parser)
    parser.add_argument("--max-pages", type=non_negative, default=0, metavar="N",
                        help="schedule at most N pages (0: no limit)")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow loopback, private and link-local addresses")
    parser.add_argument("--scope", choices=("domain", "host"), default=None,
                        help="follow links within the seeds' registered domains (default) or hosts")
    parser.add_argument("--allow", action="append", default=[], metavar="REGEX",
                        help="only follow URLs matching REGEX (repeatable)")
    parser.add_argument("--deny", action="append", default=[], metavar="REGEX",
                        help="never follow URLs matching REGEX (repeatable)")
    parser.add_argument("--max-depth", type=non_negative, default=None, metavar="N",
                        help="follow links at most N hops from a seed (0: no limit)")
    parser.add_argument("--since", type=hours, default=None, metavar="HOURS",
                        help="only feed and news-sitemap entries of the last HOURS (e.g. 24, 36h, 2d)")
    parser.add_argument("--conditional", action="store_true",
                        help="ask for feeds and listings only if changed (If-None-Match); 304s become revisits")
    parser.add_argument("--recrawl-days", type=float, default=None, metavar="N",
                        help="fetch articles of the last N days again, to catch updates")
    parser.add_argument("--resume", action="store_true",
                        help="continue the collection's interrupted crawl where it stopped")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="settings", help="override a Scrapy setting")


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """`-s KEY=VALUE` pairs as a dict (the last of a key wins)."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError("-s takes KEY=VALUE, not %r" % pair)
        overrides[key.strip()] = value
    return overrides


def discovery_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The crawl command's discovery options as DISCOVERY_* settings (checked here, used by the spider)."""
    overrides: dict[str, Any] = {}
    for pattern in args.allow + args.deny:
        try:
            re.compile(pattern)
        except re.error as err:
            raise UsageError("bad regular expression %r: %s" % (pattern, err)) from None
    if args.allow:
        overrides["DISCOVERY_ALLOW"] = args.allow
    if args.deny:
        overrides["DISCOVERY_DENY"] = args.deny
    if args.scope:
        overrides["DISCOVERY_SCOPE"] = args.scope
    if args.max_depth is not None:
        overrides["DISCOVERY_MAX_DEPTH"] = args.max_depth
    if args.since is not None:
        overrides["DISCOVERY_SINCE_HOURS"] = args.since
    if args.recrawl_days is not None:
        overrides["FETCH_RECRAWL_DAYS"] = args.recrawl_days
    if args.conditional:
        overrides["FETCH_CONDITIONAL"] = True
    return overrides


def warm_up_workers(workers: str | None = None) -> None:
    """Extraction workers will be needed: their forkserver warms up while we import Scrapy."""
    if workers is None or workers.strip() != "0":
        from pipelines.workers import start_warm_up
        start_warm_up()


def run(args: argparse.Namespace) -> int:
    settings = parse_setting_overrides(args.settings)  # a malformed -s is refused before anything starts
    warm_up_workers(settings.get("EXTRACT_WORKERS"))
    from crawler.report import print_summary
    from crawler.run_crawl import run_crawl

    collection = Collection.create(*collection_location(args.collection, args.root))
    overrides = {**discovery_overrides(args), **settings}
    # The frontier always lives on disk (Scrapy's JOBDIR): a big crawl's pending requests would
    # otherwise all sit in memory. A new crawl starts from an empty one; --resume keeps it.
    jobdir = os.path.join(collection.state_dir, "jobdir")
    if not args.resume:
        with collection.lock():  # never pull the frontier from under a crawl still running
            shutil.rmtree(jobdir, ignore_errors=True)
    overrides.setdefault("JOBDIR", jobdir)
    try:
        report = run_crawl(collection, args.seeds, max_pages=args.max_pages,
                           allow_private=args.allow_private, overrides=overrides,
                           verbose=args.verbose)
    except RuntimeError as err:
        print("newsarchive crawl: %s" % err, file=sys.stderr)
        return EXIT_FAILURE
    print_summary(report, collection, sys.stdout)
    if not report.get("responses"):
        print("newsarchive crawl: nothing was fetched from %s (see the messages above)"
              % " ".join(args.seeds), file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK
