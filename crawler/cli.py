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
from archive.redact import UserinfoFilter, mask_userinfo
from crawler.commands import COMMANDS, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.setting_types import SettingError

LOG_FILE_HELP = "write the log to PATH (appended to) instead of stderr; the same as -s LOG_FILE=PATH"


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
    parser.add_argument("--log-file", default=None, metavar="PATH", help=LOG_FILE_HELP)
    # -v and --log-file also after the command; SUPPRESS keeps a subcommand from resetting them
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv: debug)")
    common.add_argument("--log-file", default=argparse.SUPPRESS, metavar="PATH", help=LOG_FILE_HELP)
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
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    try:
        handler = log_handler(args)
    except OSError as err:
        print("newsarchive %s: cannot write the log file: %s" % (args.command, err), file=sys.stderr)
        return EXIT_FAILURE
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(UserinfoFilter())  # a seed's user:password@ is never printed
    handler.setLevel(level)  # on the handler: Scrapy resets the root logger's own level
    logging.root.addHandler(handler)
    logging.root.setLevel(level)
    try:
        return _run(args)
    finally:
        logging.root.removeHandler(handler)  # main() may run many times in one process (tests)
        handler.close()


def log_handler(args: argparse.Namespace) -> logging.Handler:
    """stderr, or the file that --log-file or a command's `-s LOG_FILE=PATH` names (appended to,
    as Scrapy does). main() owns logging, so Scrapy's root handler, which would read LOG_FILE, is
    never installed: the setting is honoured here."""
    path = args.log_file or setting_value(getattr(args, "settings", []), "LOG_FILE")
    if path:
        return logging.FileHandler(path, mode="a", encoding="utf-8")
    return logging.StreamHandler(sys.stderr)


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
