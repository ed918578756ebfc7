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
from typing import Any, TextIO

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.collection import Collection, new_run_id
from crawler.capture import CaptureConfig
from crawler.cli import EXIT_FAILURE, EXIT_OK, UsageError, parse_setting_overrides
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


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (size, unit)
        size /= 1000
    return "%d B" % size


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join("%s: %d" % kv for kv in sorted(counts.items()) if kv[1])


def wayback_dir(root: str) -> str:
    """pywb serves `<dir>/collections/<name>`: the directory to start `wayback -d` in."""
    root = os.path.abspath(root)
    if os.path.basename(root) == "collections":
        return os.path.dirname(root)
    return "%s  (after: ln -s %s collections)" % (os.getcwd(), root)


def print_summary(report: dict[str, Any], collection: Collection, out: TextIO) -> None:
    """What a person wants to see after a run, and what to try next."""
    duplicates = report.get("duplicates", {})
    errors = report.get("errors", {})
    archive = report.get("archive", {})
    lines = [
        "%s run %s into collection %r (%s), %.1f s" % (
            report.get("kind", "crawl"), report["run"], collection.name, collection.path,
            report.get("duration_s", 0)),
        "  pages fetched     %d  (%s)" % (report.get("responses", 0),
                                          _breakdown(report.get("responses_by_status", {}))),
        "  articles written  %d" % report.get("articles", 0),
        "  duplicates        %d  (%s)" % (sum(duplicates.values()), _breakdown(duplicates) or "none"),
        "  not articles      %d" % report.get("not_articles", 0),
        "  errors            %d  (%s)" % (sum(errors.values()), _breakdown(errors) or "none"),
    ]
    files = archive.get("files", [])
    lines.append("  WARC files        %d, %s" % (len(files), _human(archive.get("bytes", 0))))
    lines += ["    %s  %s" % (os.path.join(collection.archive_dir, f["name"]), _human(f["bytes"]))
              for f in files]
    lines.append("  items             %s" % (report.get("items_file") or "(none this run)"))
    lines.append("  run report        %s" % collection.run_report_path(report["run"]))
    root = collection.root
    lines += [
        "next:",
        "  newsarchive export %s --root %s -o %s.jsonl" % (collection.name, root, collection.name),
        "  newsarchive replay %s --root %s --collection %s-replay" % (collection.name, root, collection.name),
        "  wayback -d %s -b 127.0.0.1    # then browse http://127.0.0.1:8080/%s/" % (
            wayback_dir(root), collection.name),
    ]
    out.write("\n".join(lines) + "\n")
