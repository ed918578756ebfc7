"""`newsarchive crawl`: crawl seeds into a collection.

A collection another run is writing is refused before anything is touched (exit 2, like any
crawl that cannot begin as asked; that run and its frontier are left alone). A write that fails
(a full disk, a read-only collection) is one line naming the file and the cause, exit 1; what was
archived before it stays, and `--resume` continues once the cause is gone."""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys

from archive.collection import Collection
from archive.redact import mask_userinfo
from crawler.commands import EXIT_FAILURE, EXIT_INTERRUPTED, UsageError, add_root, collection_location
from crawler.commands.argtypes import hours, non_negative
from crawler.options import CrawlOptions
from crawler.progress import add_progress_option, display_for

HELP = "crawl seeds into a collection"

logger = logging.getLogger(__name__)


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
    parser.add_argument("--no-requisites", action="store_true",
                        help="do not fetch page requisites (stylesheets, images, fonts, scripts, icons)")
    parser.add_argument("--requisites-per-page", type=non_negative, default=None, metavar="N",
                        help="fetch at most N requisites of one page or stylesheet (default 150; 0: no limit)")
    parser.add_argument("--requisite-max-size", type=non_negative, default=None, metavar="BYTES",
                        help="cut a requisite off at BYTES, archived as truncated (default 16 MiB; "
                             "0: DOWNLOAD_MAXSIZE)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the collection's interrupted crawl where it stopped")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="settings", help="override a Scrapy setting")
    add_progress_option(parser)


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """`-s KEY=VALUE` pairs as a dict (the last of a key wins)."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError("-s takes KEY=VALUE, not %r" % pair)
        overrides[key.strip()] = value
    return overrides


def crawl_options(args: argparse.Namespace) -> CrawlOptions:
    """The command line as CrawlOptions (argparse has typed the values; problems() checks them)."""
    return CrawlOptions(
        seeds=tuple(args.seeds), scope=args.scope, allow=tuple(args.allow), deny=tuple(args.deny),
        max_depth=args.max_depth, since_hours=args.since, recrawl_days=args.recrawl_days,
        conditional=args.conditional, max_pages=args.max_pages, allow_private=args.allow_private,
        no_requisites=args.no_requisites, requisites_per_page=args.requisites_per_page,
        requisite_max_size=args.requisite_max_size, settings=parse_setting_overrides(args.settings),
    )


def warm_up_workers(workers: int | None = None) -> None:
    """Extraction workers will be needed: their forkserver warms up while the command goes on
    (the crawl imports its spider and components and opens its collection meanwhile)."""
    if workers != 0:
        from pipelines.workers import start_warm_up
        start_warm_up()


def run(args: argparse.Namespace) -> int:
    # Everything is checked before anything starts: a bad seed, option or setting is exit 2 and
    # creates nothing (no collection folder, no run in the store, no forkserver).
    options = crawl_options(args)
    problems = options.problems(flags=True)
    if problems:
        raise UsageError(problems[0])
    from crawler.crawl_config import check_settings
    from crawler.run_crawl import crawl_settings

    root, name = collection_location(args.collection, args.root)
    overrides = options.overrides()
    for key, value in progress_settings(args).items():
        overrides.setdefault(key, value)  # a -s PROGRESS_... of the command line wins
    config = check_settings(crawl_settings(Collection(root, name), "", options.seed_urls(),
                                           allow_private=options.allow_private, overrides=overrides,
                                           verbose=args.verbose))
    warm_up_workers(config.extract.workers)
    from crawler.report import exit_code, print_summary, print_unfinished, resume_command
    from crawler.run_crawl import RunUnfinished, run_crawl

    collection = Collection.create(root, name)
    # The frontier always lives on disk (Scrapy's JOBDIR): a big crawl's pending requests would
    # otherwise all sit in memory. A new crawl starts from an empty one; --resume keeps it.
    jobdir = overrides.setdefault("JOBDIR", os.path.join(collection.state_dir, "jobdir"))
    with collection.lock():  # never touch the frontier of a crawl still running
        # a damaged store (or one its disk will not let open) is refused in one line before Scrapy starts
        collection.store().close()
        if not args.resume:
            shutil.rmtree(jobdir, ignore_errors=True)
        else:
            check_frontier(jobdir)
    try:
        report = run_crawl(collection, list(options.seeds), max_pages=options.max_pages,
                           allow_private=options.allow_private, overrides=overrides, verbose=args.verbose)
    except RunUnfinished as stopped:
        print_unfinished(collection, stopped.run_id, stopped.seeds, options.allow_private, sys.stdout)
        return EXIT_INTERRUPTED
    except RuntimeError as err:
        print("newsarchive crawl: %s" % err, file=sys.stderr)
        return EXIT_FAILURE
    print_summary(report, collection, sys.stdout)
    if report.get("report_error"):
        print("newsarchive crawl: the run report could not be written: %s" % report["report_error"],
              file=sys.stderr)
    code = exit_code(report)
    failure = report.get("write_failure")
    if failure:
        remedy = {"disk_full": "free some space", "read_only": "make it writable"}.get(failure["reason"], "fix it")
        print("newsarchive crawl: cannot write %s: %s; what was archived before is kept: %s, then continue "
              "with: %s" % (failure["file"], failure["cause"], remedy, resume_command(
                  collection, list(report.get("seeds", [])), options.allow_private)), file=sys.stderr)
        return EXIT_FAILURE
    if code == EXIT_FAILURE:
        print("newsarchive crawl: nothing was fetched from %s (see the messages above)"
              % mask_userinfo(" ".join(args.seeds)), file=sys.stderr)
    return code


def progress_settings(args: argparse.Namespace) -> dict[str, object]:
    """PROGRESS_* for the crawl's progress extension, from stderr, -q and --progress-every."""
    display = display_for("crawl", args)
    return {"PROGRESS_MODE": display.mode, "PROGRESS_EVERY": display.interval if display.mode == "plain"
            else args.progress_every, "PROGRESS_FORMAT": "json" if display.json_lines else "text"}


def check_frontier(jobdir: str) -> None:
    """Before a resumed crawl starts: a damaged saved frontier is named and rebuilt from the seeds."""
    from crawler.jobdir import forget_seen, queue_damage, rebuild, seen_damage

    damage = queue_damage(jobdir)
    if damage:
        logger.warning("the crawl's saved frontier is damaged: %s; it starts again from the seeds "
                       "(articles already archived are skipped)", damage, extra={"event": "frontier_damaged"})
        rebuild(jobdir)
        return
    damage = seen_damage(jobdir)
    if damage:  # only ever an optimisation: at worst a listing is fetched again
        logger.warning("the crawl's seen-requests filter %s; it starts afresh", damage,
                       extra={"event": "seen_filter_damaged"})
        forget_seen(jobdir)
