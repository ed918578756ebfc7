"""Argument types shared by the commands: each raises argparse's error with the value in it."""
from __future__ import annotations

import argparse
from datetime import datetime

from archive.moments import parse_moment


def non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % value) from None
    if number < 0:
        raise argparse.ArgumentTypeError("%r must not be negative" % value)
    return number


def port(value: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    number = non_negative(value)
    if number > 65535:
        raise argparse.ArgumentTypeError("%r is not a port (0 to 65535)" % value)
    return number


def positive(value: str) -> int:
    number = non_negative(value)
    if number == 0:
        raise argparse.ArgumentTypeError("%r must be at least 1" % value)
    return number


def hours(value: str) -> float:
    """24, 36h or 2d as a number of hours."""
    text = value.strip().lower()
    factor = 24.0 if text.endswith("d") else 1.0
    try:
        number = float(text.rstrip("dh")) * factor
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of hours (24, 36h, 2d)" % value) from None
    if number <= 0:
        raise argparse.ArgumentTypeError("%r must be more than 0 hours" % value)
    return number


def moment(value: str) -> datetime:
    try:
        return parse_moment(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def day_start(value: str) -> datetime:
    return moment(value)


def day_end(value: str) -> datetime:
    try:
        return parse_moment(value, end_of_day=True)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
