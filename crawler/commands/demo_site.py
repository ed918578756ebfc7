"""`newsarchive demo-site`: serve the bundled demo news site on 127.0.0.1."""
from __future__ import annotations

import argparse

from crawler.commands.argtypes import non_negative

NAME = "demo-site"
HELP = "serve the bundled demo news site on 127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=non_negative, default=0, help="port (default: any free one)")


def run(args: argparse.Namespace) -> int:
    from demosite.server import main_serve
    return main_serve(args.port)
