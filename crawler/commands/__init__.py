"""The `newsarchive` commands, one module each (as `scrapy/commands/`): `add_arguments(parser)`
and `run(args) -> int`. Here: the exit codes, the usage error and what several commands share.

Exit codes: 0 ok; 1 a failure (unreadable data skipped, an output that could not be written);
2 a usage error (bad option, URL, date, setting or collection; nothing was created);
130 interrupted (Ctrl-C or SIGTERM; the run can be continued).
"""
from __future__ import annotations

import argparse
import os

from archive.collection import Collection

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# the command modules under crawler/commands/, in the order `--help` lists them
COMMANDS = ("crawl", "demo", "schedule", "runs", "replay", "export", "extract", "inspect", "index", "wacz", "repair",
            "health", "demo_site")


class UsageError(Exception):
    """A wrong command line or option value: exit code 2, one line on stderr."""


def add_root(parser: argparse.ArgumentParser) -> None:
    """--root, the same for every command that works on collections."""
    parser.add_argument("--root", default=None, metavar="DIR",
                        help="where collections live (default: collections, or the parent of a "
                             "collection given as a path)")


def collection_location(value: str, root: str | None) -> tuple[str, str]:
    """(root, name) of a collection given by name (under --root) or as a path to its directory.

    `collections/demo`, `./demo` or `/srv/archive/demo` are paths; `demo` is a name. A path's
    parent is the root; a --root that says otherwise is a usage error."""
    if os.sep not in value and value not in (".", ".."):
        return root or "collections", value
    path = os.path.normpath(os.path.abspath(value))
    parent, name = os.path.dirname(path), os.path.basename(path)
    if root is not None and os.path.abspath(root) != parent:
        raise UsageError("collection %s is not under --root %s" % (value, root))
    return parent, name


def open_collection(value: str, root: str | None) -> Collection:
    """An existing collection, by name or path; CollectionError (exit 2) if there is none."""
    return Collection.open(*collection_location(value, root))
