"""`newsarchive demo-site`: serve the bundled demo news site on 127.0.0.1."""
from __future__ import annotations

import argparse

from crawler.commands.argtypes import non_negative, port

NAME = "demo-site"
HELP = "serve the bundled demo news site on 127.0.0.1"


def add_template_arguments(parser: argparse.ArgumentParser, edition_default: int | None) -> None:
    """The demo site's "a later day" options (demo and demo-site both take them)."""
    parser.add_argument("--changed-template", metavar="SECTION", default=None,
                        help="serve SECTION's articles (world, business, science) with a relaunched "
                             "template that lost its byline and dates (see `newsarchive report`)")
    parser.add_argument("--edition", type=non_negative, default=edition_default, metavar="N",
                        help="the site N editions later: 3 more stories a section each")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=port, default=0, help="port (default: any free one)")
    add_template_arguments(parser, 0)


def run(args: argparse.Namespace) -> int:
    from demosite.server import main_serve
    return main_serve(args.port, args.changed_template, args.edition)
