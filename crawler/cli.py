"""The `newsarchive` command line: one entry point, thin handlers over library functions."""
from __future__ import annotations

import argparse
import logging
import sys
from importlib import metadata
from typing import NoReturn

from archive.exceptions import ArchiveError, CollectionError

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong command line or option value: exit code 2, one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s: %s (see --help)" % (self.prog, message))


def _version() -> str:
    try:
        return metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsarchive", description="Archive news sites as WARC + cleaned JSONL.")
    parser.add_argument("--version", action="version", version="newsarchive " + _version())
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    # -v also after the command; SUPPRESS keeps a subcommand from resetting the count to 0
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    crawl = sub.add_parser("crawl", parents=[common], help="crawl seeds into a collection")
    crawl.add_argument("seeds", nargs="+", metavar="SEED", help="page, feed or sitemap URL")
    _collection_options(crawl, required=False, default="default")
    crawl.add_argument("--max-pages", type=_non_negative, default=0, metavar="N",
                       help="schedule at most N pages (0: no limit)")
    crawl.add_argument("--allow-private", action="store_true",
                       help="allow loopback, private and link-local addresses")
    crawl.add_argument("--scope", choices=("domain", "host"), default=None,
                       help="follow links within the seeds' registered domains (default) or hosts")
    crawl.add_argument("--allow", action="append", default=[], metavar="REGEX",
                       help="only follow URLs matching REGEX (repeatable)")
    crawl.add_argument("--deny", action="append", default=[], metavar="REGEX",
                       help="never follow URLs matching REGEX (repeatable)")
    crawl.add_argument("--max-depth", type=_non_negative, default=None, metavar="N",
                       help="follow links at most N hops from a seed (0: no limit)")
    crawl.add_argument("--since", type=_hours, default=None, metavar="HOURS",
                       help="only feed and news-sitemap entries of the last HOURS (e.g. 24, 36h, 2d)")
    crawl.add_argument("--conditional", action="store_true",
                       help="ask for feeds and listings only if changed (If-None-Match); 304s become revisits")
    crawl.add_argument("--recrawl-days", type=float, default=None, metavar="N",
                       help="fetch articles of the last N days again, to catch updates")
    crawl.add_argument("--resume", action="store_true",
                       help="continue the collection's interrupted crawl where it stopped")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                       dest="settings", help="override a Scrapy setting")
    crawl.set_defaults(func=_crawl)

    demo = sub.add_parser("demo", parents=[common], help="serve the demo site and crawl it into collection 'demo'")
    _collection_options(demo, required=False, default="demo")
    demo.set_defaults(func=_demo)

    schedule = sub.add_parser("schedule", parents=[common], help="recurring crawls from a TOML file")
    schedule.add_argument("config", metavar="CONFIG")
    schedule.add_argument("--once", action="store_true", help="run what is due, then exit (cron, timers)")
    schedule.add_argument("--root", default=None, help="collections root (default: the file's, else collections)")
    schedule.add_argument("--max-parallel", type=_positive, default=1, metavar="N",
                          help="run up to N jobs at the same time (default: 1)")
    schedule.add_argument("--check", action="store_true", help="only check the file")
    schedule.add_argument("--now", type=_moment, default=None, help=argparse.SUPPRESS)  # tests, backfills
    schedule.set_defaults(func=_schedule)

    runs = sub.add_parser("runs", parents=[common], help="a collection's run history")
    runs.add_argument("collection", metavar="COLLECTION")
    runs.add_argument("--root", default="collections", help="collections root (default: %(default)s)")
    runs.add_argument("--json", action="store_true", help="one JSON object per run")
    runs.set_defaults(func=_runs)

    replay = sub.add_parser("replay", parents=[common], help="WARC files or a collection -> items, offline")
    replay.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="WARC file, directory, or the name of a collection under --root")
    _collection_options(replay, required=True)
    replay.set_defaults(func=_replay)

    export = sub.add_parser("export", parents=[common], help="a collection's items as JSONL, each article once")
    export.add_argument("collection", metavar="COLLECTION")
    export.add_argument("--root", default="collections", help="collections root (default: %(default)s)")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.add_argument("--since", metavar="DATE", help="published on or after DATE (ISO 8601)")
    export.add_argument("--until", metavar="DATE", help="published before or on DATE (ISO 8601)")
    export.add_argument("--site", metavar="HOST", action="append", default=[],
                        help="only articles from HOST (and its subdomains); repeatable")
    export.add_argument("--with-aliases", action="store_true", help="add each article's other URLs")
    export.add_argument("--workers", type=int, metavar="N",
                        help="processes that parse the item files (default: one per core; 0: none)")
    export.set_defaults(func=_export)

    extract = sub.add_parser("extract", parents=[common], help="one HTML file -> the item JSON on stdout")
    extract.add_argument("file", metavar="FILE.html")
    extract.add_argument("--url", help="the page's URL (default: a file: URL)")
    extract.set_defaults(func=_extract)

    index = sub.add_parser("index", parents=[common], help="rebuild a collection's CDXJ index from its WARCs")
    index.add_argument("collection", metavar="COLLECTION")
    index.add_argument("--root", default="collections", help="collections root (default: %(default)s)")
    index.set_defaults(func=_index)

    wacz = sub.add_parser("wacz", parents=[common], help="package a collection as WACZ for ReplayWeb.page")
    wacz.add_argument("collection", metavar="COLLECTION")
    wacz.add_argument("--root", default="collections", help="collections root (default: %(default)s)")
    wacz.add_argument("-o", "--output", metavar="FILE", help="default: COLLECTION.wacz")
    wacz.set_defaults(func=_wacz)

    repair = sub.add_parser("repair", parents=[common], help="close WARC files a crashed run left open")
    repair.add_argument("collection", metavar="COLLECTION")
    repair.add_argument("--root", default="collections", help="collections root (default: %(default)s)")
    repair.set_defaults(func=_repair)

    site = sub.add_parser("demo-site", parents=[common], help="serve the bundled demo news site on 127.0.0.1")
    site.add_argument("--port", type=_non_negative, default=0, help="port (default: any free one)")
    site.set_defaults(func=_demo_site)
    return parser


def _collection_options(parser: argparse.ArgumentParser, required: bool, default: str = "") -> None:
    parser.add_argument("--collection", required=required, default=default or None,
                        metavar="NAME", help="collection name" + (" (default: %s)" % default if default else ""))
    parser.add_argument("--root", default="collections", metavar="DIR",
                        help="where collections live (default: %(default)s)")


def _hours(value: str) -> float:
    text = value.strip().lower()
    factor = 24.0 if text.endswith("d") else 1.0
    try:
        hours = float(text.rstrip("dh")) * factor
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of hours (24, 36h, 2d)" % value) from None
    if hours <= 0:
        raise argparse.ArgumentTypeError("%r must be more than 0 hours" % value)
    return hours


def _positive(value: str) -> int:
    number = _non_negative(value)
    if number == 0:
        raise argparse.ArgumentTypeError("%r must be at least 1" % value)
    return number


def _moment(value: str) -> object:
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not an ISO 8601 time" % value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % value) from None
    if number < 0:
        raise argparse.ArgumentTypeError("%r must not be negative" % value)
    return number


# -- handlers: each one line of glue ---------------------------------------------------------
def _warm_up_workers(workers: str | None = None) -> None:
    """Extraction workers will be needed: their forkserver warms up while we import Scrapy."""
    if workers is None or workers.strip() != "0":
        from pipelines.workers import start_warm_up
        start_warm_up()


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """`-s KEY=VALUE` pairs as a dict (the last of a key wins)."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError("-s takes KEY=VALUE, not %r" % pair)
        overrides[key.strip()] = value
    return overrides


def _crawl(args: argparse.Namespace) -> int:
    # a malformed -s is refused before anything starts
    _warm_up_workers(parse_setting_overrides(args.settings).get("EXTRACT_WORKERS"))
    from crawler.run_crawl import crawl_command
    return crawl_command(args)


def _demo(args: argparse.Namespace) -> int:
    from crawler.run_crawl import demo_command
    return demo_command(args)


def _schedule(args: argparse.Namespace) -> int:
    from crawler.schedule_command import schedule_command
    return schedule_command(args)


def _runs(args: argparse.Namespace) -> int:
    from crawler.schedule_command import runs_command
    return runs_command(args)


def _replay(args: argparse.Namespace) -> int:
    _warm_up_workers()
    from crawler.replay import replay_command
    return replay_command(args)


def _export(args: argparse.Namespace) -> int:
    from crawler.export import export_command
    return export_command(args)


def _extract(args: argparse.Namespace) -> int:
    from crawler.export import extract_command
    return extract_command(args)


def _index(args: argparse.Namespace) -> int:
    from archive.collection import Collection
    from archive.index import rebuild_index

    collection = Collection.open(args.root, args.collection)
    lines = rebuild_index(collection.indexes_dir, collection.warc_files())
    print("indexed %d records of %d WARC files into %s/index.cdxj" % (
        lines, len(collection.warc_files()), collection.indexes_dir))
    return EXIT_OK


def _wacz(args: argparse.Namespace) -> int:
    from crawler.export import wacz_command
    return wacz_command(args)


def _repair(args: argparse.Namespace) -> int:
    from archive.collection import Collection
    from archive.repair import repair_directory

    collection = Collection.open(args.root, args.collection)
    with collection.lock():
        repaired = repair_directory(collection.archive_dir)
    for r in repaired:
        print("%s: kept %d records (%d bytes), dropped %d bytes" % (
            r.path, r.records, r.kept_bytes, r.dropped_bytes))
    print("repaired %d open WARC file(s) in %s" % (len(repaired), collection.archive_dir))
    return EXIT_OK


def _demo_site(args: argparse.Namespace) -> int:
    from crawler.demosite.server import main_serve
    return main_serve(args.port)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)  # on the handler: Scrapy resets the root logger's own level
    logging.root.addHandler(handler)
    logging.root.setLevel(level)
    try:
        return _run(args)
    finally:
        logging.root.removeHandler(handler)  # main() may run many times in one process (tests)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except (UsageError, CollectionError) as err:  # a wrong name or value on the command line
        print("newsarchive %s: %s" % (args.command, err), file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as err:
        print("newsarchive %s: %s" % (args.command, err), file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("newsarchive %s: interrupted" % args.command, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK  # `newsarchive export … | head` is a normal thing to do
