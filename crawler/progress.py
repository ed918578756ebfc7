"""Progress of a long command on stderr: a live area updated in place on a terminal (rich), one
plain `key=value` line every N seconds elsewhere (cron, CI, scrapyd, the scheduler's children, a
pipe), or nothing (-q).

The figures are sampled a few times a second at most, from counters the run keeps anyway: a
page costs progress nothing.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from crawler.logs import live_handlers
from crawler.sizes import human_bytes

LIVE_INTERVAL = 0.25  # seconds between redraws of the live area
RATE_WINDOW = 10.0  # seconds the live pages/s is measured over
MODES = ("live", "plain", "off")


def choose_mode(stream: IO[str], *, quiet: bool, every: float, asked: str = "auto") -> str:
    """live on a terminal, plain lines every `every` seconds without one, off for -q or every=0
    there; `asked` (--progress) overrides the guess: the scheduler's children share its terminal."""
    if quiet or asked == "off":
        return "off"
    if asked == "plain":
        return "plain" if every > 0 else "off"
    if asked == "live" or (_is_terminal(stream) and os.environ.get("TERM", "") not in ("dumb", "unknown")):
        return "live"
    return "plain" if every > 0 else "off"


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Figures:
    """One sample of a run's progress; None: not known for this kind of run."""

    elapsed: float
    pages: int = 0
    requisites: int | None = None
    in_flight: int | None = None
    queued: int | None = None
    articles: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)  # exact, near, url
    not_articles: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # by kind
    bytes: int | None = None  # archived (crawl) or read (replay, wacz)
    done: float | None = None  # work done of `total`, in `unit`: gives the ETA
    total: float | None = None
    unit: str = ""  # "bytes" or "lines"
    phase: str = ""


def eta_seconds(figures: Figures) -> float | None:
    if not figures.total or figures.done is None or figures.done <= 0 or figures.elapsed <= 0:
        return None
    left = max(figures.total - figures.done, 0.0)
    return left / (figures.done / figures.elapsed)


def clock(seconds: float) -> str:
    whole = int(seconds)
    return "%d:%02d:%02d" % (whole // 3600, whole % 3600 // 60, whole % 60)


def plain_fields(figures: Figures, rate: float) -> dict[str, Any]:
    """The figures as the plain line's keys, in its order (a key is left out when not known)."""
    out: dict[str, Any] = {"elapsed": clock(figures.elapsed)}
    if figures.phase:
        out["phase"] = figures.phase
    out["pages"] = figures.pages
    out["pages_per_s"] = "%.1f" % rate
    for key in ("requisites", "in_flight", "queued"):
        value = getattr(figures, key)
        if value is not None:
            out[key] = value
    out["articles"] = figures.articles
    for kind in ("exact", "near", "url"):
        out["duplicates_" + kind] = figures.duplicates.get(kind, 0)
    out["not_articles"] = figures.not_articles
    out["errors"] = sum(figures.errors.values())
    for kind, count in sorted(figures.errors.items()):
        out["errors_" + kind] = count
    if figures.bytes is not None:
        out["bytes"] = figures.bytes
    if figures.total:
        out["done_%s" % figures.unit] = int(figures.done or 0)
        out["total_%s" % figures.unit] = int(figures.total)
        eta = eta_seconds(figures)
        if eta is not None:
            out["eta"] = clock(eta)
    return out


def plain_line(command: str, figures: Figures, rate: float) -> str:
    return "newsarchive %s: progress %s" % (
        command, " ".join("%s=%s" % (k, v) for k, v in plain_fields(figures, rate).items()))


class Display:
    """Where the samples go; `show` is called every `interval` seconds by the run's own timer."""

    def __init__(self, command: str, mode: str, every: float = 30.0, *, stream: IO[str] | None = None,
                 json_lines: bool = False) -> None:
        self.command = command
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.json_lines = json_lines  # --log-format json: plain lines are JSON objects too
        self.interval = LIVE_INTERVAL if mode == "live" else max(every, 0.0)
        self._live: Any = None
        self._routed: list[Any] = []
        self._recent: deque[tuple[float, int]] = deque()

    @property
    def enabled(self) -> bool:
        return self.mode in ("live", "plain") and self.interval > 0

    def start(self) -> None:
        if self.mode != "live" or self._live is not None:
            return
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self.stream, force_terminal=True, highlight=False, soft_wrap=False)
        self._live = Live(console=console, auto_refresh=False, transient=False,
                          redirect_stdout=False, redirect_stderr=False)
        self._live.start()
        for handler in live_handlers():  # log lines go above the area, not through it
            if handler.stream is self.stream or _same_terminal(handler.stream, self.stream):
                handler.console = console
                self._routed.append(handler)

    def show(self, figures: Figures) -> None:
        rate = self._rate(figures)
        if self.mode == "live" and self._live is not None:
            self._live.update(render(self.command, figures, rate), refresh=True)
        elif self.mode == "plain":
            self._write_plain(figures, rate)

    def stop(self, figures: Figures | None = None) -> None:
        """The last figures drawn (live), and the terminal given back to plain writes."""
        if self._live is None:
            return
        if figures is not None:
            self._live.update(render(self.command, figures, self._rate(figures)), refresh=True)
        for handler in self._routed:
            handler.console = None
        self._routed = []
        self._live.stop()
        self._live = None

    def _rate(self, figures: Figures) -> float:
        """Pages a second: over the last RATE_WINDOW seconds live, over the whole run in plain lines."""
        if self.mode != "live":
            return figures.pages / figures.elapsed if figures.elapsed > 0 else 0.0
        self._recent.append((figures.elapsed, figures.pages))
        while len(self._recent) > 2 and figures.elapsed - self._recent[0][0] > RATE_WINDOW:
            self._recent.popleft()
        then, pages = self._recent[0]
        span = figures.elapsed - then
        return (figures.pages - pages) / span if span > 0 else 0.0

    def _write_plain(self, figures: Figures, rate: float) -> None:
        if self.json_lines:
            line = json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                               "level": "info", "event": "progress", "message": "%s progress" % self.command,
                               "command": self.command, **plain_fields(figures, rate)})
        else:
            line = plain_line(self.command, figures, rate)
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            self.mode = "off"  # a closed stderr ends progress, never the run


def _same_terminal(one: Any, other: Any) -> bool:
    try:
        return bool(os.path.samefile("/proc/self/fd/%d" % one.fileno(), "/proc/self/fd/%d" % other.fileno()))
    except (AttributeError, OSError, ValueError):
        return False


def render(command: str, figures: Figures, rate: float) -> Any:
    """The live area: three short lines."""
    from rich.text import Text

    first = ["%s %s" % (command, clock(figures.elapsed))]
    if figures.phase:
        first.append(figures.phase)
    first.append("%d pages (%.1f/s)" % (figures.pages, rate))
    if figures.requisites is not None:
        first.append("%d requisites" % figures.requisites)
    if figures.in_flight is not None:
        first.append("%d in flight" % figures.in_flight)
    if figures.queued is not None:
        first.append("%d queued" % figures.queued)
    second = ["%d articles" % figures.articles,
              "duplicates %d exact / %d near" % (figures.duplicates.get("exact", 0), figures.duplicates.get("near", 0)),
              "%d not articles" % figures.not_articles]
    errors = sum(figures.errors.values())
    second.append("%d errors" % errors + (" (%s)" % ", ".join(
        "%s %d" % (k, v) for k, v in sorted(figures.errors.items(), key=lambda kv: -kv[1])[:4]) if errors else ""))
    third = []
    if figures.bytes is not None:
        third.append("%s %s" % (human_bytes(figures.bytes), "archived" if command == "crawl" else "read"))
    if figures.total:
        share = min((figures.done or 0) / figures.total, 1.0)
        shown = human_bytes if figures.unit == "bytes" else (lambda n: "%d lines" % n)
        third.append("%3.0f%% of %s" % (100 * share, shown(figures.total)))
        eta = eta_seconds(figures)
        if eta is not None:
            third.append("ETA %s" % clock(eta))
    text = Text(" · ".join(first) + "\n" + " · ".join(second))
    if third:
        text.append("\n" + " · ".join(third))
    return text


class Timer:
    """Samples and shows the figures from a thread of its own (replay, export, wacz):
    `sample(elapsed seconds)` must only read counters."""

    def __init__(self, display: Display, sample: Callable[[float], Figures]) -> None:
        import threading

        self.display = display
        self.sample = sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __enter__(self) -> Timer:
        if self.display.enabled:
            self.display.start()
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.display.enabled:
            return
        self._stop.set()
        self._thread.join()
        try:
            last = self.sample(self.elapsed())
        except Exception:  # noqa: BLE001 - the figures of a failed run are not worth a second error
            last = None
        self.display.stop(last)

    def _loop(self) -> None:
        while not self._stop.wait(self.display.interval):
            try:
                self.display.show(self.sample(self.elapsed()))
            except Exception:  # noqa: BLE001 - a figure read mid-update: the next sample will do
                continue


def add_progress_option(parser: Any) -> None:
    """--progress-every, the same for every command that shows progress."""
    parser.add_argument("--progress-every", type=seconds, default=30.0, metavar="SECONDS",
                        help="without a terminal, a progress line every SECONDS (default 30; 0: none)")
    parser.add_argument("--progress", choices=("auto", *MODES), default="auto",
                        help="live area, plain lines or off (default auto: live on a terminal, else plain)")


def seconds(value: str) -> float:
    import argparse
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of seconds" % value) from None
    if number < 0 or number != number:
        raise argparse.ArgumentTypeError("%r must not be negative" % value)
    return number


def display_for(command: str, args: Any, stream: IO[str] | None = None) -> Display:
    """The progress display the command line asks for (-q, --progress-every, --log-format)."""
    stream = stream if stream is not None else sys.stderr
    every = float(getattr(args, "progress_every", 30.0))
    mode = choose_mode(stream, quiet=bool(getattr(args, "quiet", False)), every=every,
                       asked=getattr(args, "progress", "auto"))
    return Display(command, mode, every, stream=stream, json_lines=getattr(args, "log_format", "text") == "json")
