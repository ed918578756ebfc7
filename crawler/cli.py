"""The `newsarchive` command line: one parser built from the command modules, one error policy."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from importlib import metadata
from types import ModuleType
from typing import NoReturn

from archive.exceptions import ArchiveError, CollectionError
from archive.redact import mask_userinfo
from crawler.commands import COMMANDS, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.logs import FORMATS, make_handler
from crawler.setting_types import SettingError

LOG_FILE_HELP = "write the log to PATH (appended to) instead of stderr; the same as -s LOG_FILE=PATH"
LOG_FORMAT_HELP = "json: one JSON object a line (time, level, event, message, url, site, run) for log shippers"
QUIET_HELP = "no progress, and only errors logged"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s: %s (see --help)" % (self.prog, message))


def _version() -> str:
    try:
        return metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        return "unknown"


def command_module(name: str) -> ModuleType:
    return importlib.import_module("crawler.commands." + name)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsarchive", description="Archive news sites as WARC + cleaned JSONL.")
    parser.add_argument("--version", action="version", version="newsarchive " + _version())
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    parser.add_argument("-q", "--quiet", action="store_true", default=False, help=QUIET_HELP)
    parser.add_argument("--log-file", default=None, metavar="PATH", help=LOG_FILE_HELP)
    parser.add_argument("--log-format", choices=FORMATS, default="text", help=LOG_FORMAT_HELP)
    # -v and --log-file also after the command; SUPPRESS keeps a subcommand from resetting them
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv: debug)")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=QUIET_HELP)
    common.add_argument("--log-file", default=argparse.SUPPRESS, metavar="PATH", help=LOG_FILE_HELP)
    common.add_argument("--log-format", choices=FORMATS, default=argparse.SUPPRESS, help=LOG_FORMAT_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = command_module(name)
        command = sub.add_parser(getattr(module, "NAME", name), parents=[common], help=module.HELP)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        print(mask_userinfo(str(err)), file=sys.stderr)
        return EXIT_USAGE
    try:
        handler = log_handler(args)
    except OSError as err:
        print("newsarchive %s: cannot write the log file: %s" % (args.command, err), file=sys.stderr)
        return EXIT_FAILURE
    logging.root.addHandler(handler)
    logging.root.setLevel(handler.level)
    try:
        return _run(args)
    finally:
        logging.root.removeHandler(handler)  # main() may run many times in one process (tests)
        handler.close()


def log_handler(args: argparse.Namespace) -> logging.Handler:
    """stderr, or the file that --log-file or a command's `-s LOG_FILE=PATH` names (appended to,
    as Scrapy does). main() owns logging, so Scrapy's root handler, which would read LOG_FILE, is
    never installed: the setting is honoured here (crawler/logs.py)."""
    path = args.log_file or setting_value(getattr(args, "settings", []), "LOG_FILE")
    return make_handler(path, verbose=args.verbose, quiet=args.quiet, log_format=args.log_format)


def setting_value(pairs: list[str], key: str) -> str | None:
    """The value the last `-s KEY=VALUE` of `key` gives, if any (the command checks the pairs)."""
    value = None
    for pair in pairs:
        name, sep, rest = pair.partition("=")
        if sep and name.strip() == key:
            value = rest
    return value


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except (UsageError, CollectionError, SettingError) as err:  # a wrong name or value on the command line
        print("newsarchive %s: %s" % (args.command, mask_userinfo(str(err))), file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as err:
        print("newsarchive %s: %s" % (args.command, mask_userinfo(str(err))), file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("newsarchive %s: interrupted" % args.command, file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK  # `newsarchive export … | head` is a normal thing to do
