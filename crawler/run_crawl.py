"""`newsarchive crawl` and `newsarchive demo`: run the news spider and summarize the run."""
from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import re
import shutil
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.collection import Collection, new_run_id
from crawler.capture import CaptureConfig
from crawler.cli import EXIT_FAILURE, EXIT_OK, UsageError, parse_setting_overrides
from crawler.report import print_summary
from crawler.scope import DiscoveryConfig
from crawler.setting_types import SettingError
from crawler.spiders.news import NewsSpider
from pipelines.canonical import InvalidURL, canonicalize, host_of

logger = logging.getLogger(__name__)

LOG_LEVELS = ("WARNING", "INFO", "DEBUG")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def crawl_settings(
    collection: Collection, run_id: str, seeds: list[str], *, allow_private: bool,
    overrides: dict[str, Any], verbose: int,
) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if all(is_loopback_host(host_of(s)) for s in seeds):
        # a local server needs no politeness: measure and test at full speed
        settings.setdict({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 16}, priority="cmdline")
    settings.setdict({
        "ARCHIVE_ROOT": collection.root,
        "ARCHIVE_COLLECTION": collection.name,
        "ARCHIVE_RUN_ID": run_id,
        "FETCH_ALLOW_PRIVATE": allow_private,
        "LOG_LEVEL": LOG_LEVELS[min(verbose, 2)],
        "LOG_INSTALL_ROOT_HANDLER": False,  # main() owns logging
    }, priority="cmdline")
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(collection: Collection, seeds: list[str], *, max_pages: int = 0,
              allow_private: bool = False, overrides: dict[str, str] | None = None,
              verbose: int = 0) -> dict[str, Any]:
    """Crawl `seeds` into `collection` in this process; return the run report."""
    try:
        seeds = [canonicalize(s) for s in seeds]
    except InvalidURL as err:
        raise UsageError("bad seed URL %s" % err) from None
    run_id = str((overrides or {}).get("ARCHIVE_RUN_ID") or new_run_id())
    settings = crawl_settings(collection, run_id, seeds, allow_private=allow_private,
                              overrides=overrides or {}, verbose=verbose)
    try:  # fail before the reactor starts, in one line
        CaptureConfig.from_settings(settings)
        DiscoveryConfig.from_settings(settings)
    except SettingError as err:
        raise UsageError(str(err)) from None
    process = CrawlerProcess(settings)
    process.crawl(NewsSpider, seeds=seeds, max_pages=max_pages)
    process.start()
    report_path = collection.run_report_path(run_id)
    if not os.path.exists(report_path):
        raise RuntimeError("the crawl ended without a run report (see the log above)")
    with open(report_path, encoding="utf-8") as fh:
        report: dict[str, Any] = json.load(fh)
    return report


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


def crawl_command(args: argparse.Namespace) -> int:
    collection = Collection.create(args.root, args.collection)
    overrides = {**discovery_overrides(args), **parse_setting_overrides(args.settings)}
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


def demo_command(args: argparse.Namespace) -> int:
    from crawler.demosite import DemoSite

    collection = Collection.create(args.root, args.collection)
    with DemoSite() as site:
        print("demo site serving at %s" % site.url, flush=True)
        report = run_crawl(collection, [site.url], allow_private=True, verbose=args.verbose)
    print_summary(report, collection, sys.stdout)
    return EXIT_OK


