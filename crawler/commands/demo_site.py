"""`newsarchive demo-site`: serve the bundled demo news site on 127.0.0.1."""
from __future__ import annotations

import argparse

from crawler.commands.argtypes import non_negative

NAME = "demo-site"
HELP = "serve the bundled demo news site on 127.0.0.1"


def port(value: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    number = non_negative(value)
    if number > 65535:
        raise argparse.ArgumentTypeError("%r is not a port (0 to 65535)" % value)
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=port, default=0, help="port (default: any free one)")


def run(args: argparse.Namespace) -> int:
    from demosite.server import main_serve
    return main_serve(args.port)
