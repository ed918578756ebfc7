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
from crawler.commands import COMMANDS, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from crawler.setting_types import SettingError


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
    # -v also after the command; SUPPRESS keeps a subcommand from resetting the count to 0
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv: debug)")
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
    except (UsageError, CollectionError, SettingError) as err:  # a wrong name or value on the command line
        print("newsarchive %s: %s" % (args.command, err), file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as err:
        print("newsarchive %s: %s" % (args.command, err), file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("newsarchive %s: interrupted" % args.command, file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK  # `newsarchive export … | head` is a normal thing to do
