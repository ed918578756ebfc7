"""How `newsarchive` logs: levels by -q/-v/-vv, text or one JSON object a line, Scrapy's set-up
dumps kept out below -vv, a warning said once per site, and lines printed above a live progress
area instead of through it.

Our own log calls that matter carry `extra={"event": ..., "url": ..., "site": ...}`; a record
without them is given its logger's name as its event and the site of the first URL it names.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import IO, Any

from archive.redact import UserinfoFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
# below -vv, these loggers say only warnings and errors: their INFO is set-up dumps
# (settings, middlewares, extensions), "Telnet console", stats dumps and a stats line a minute
NOISY_LOGGERS = ("scrapy", "twisted", "protego", "filelock", "asyncio")
URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>),]+")
# what a LogRecord has of its own: the rest of its __dict__ came in `extra`
_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_NAMED = ("event", "url", "site", "run")


def level_of(verbose: int, quiet: bool) -> int:
    if quiet:
        return logging.ERROR
    return [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]


def site_from_url(url: str) -> str:
    from pipelines.merge import site_of
    try:
        return site_of(url)
    except ValueError:
        return ""


def url_of(record: logging.LogRecord) -> str:
    """The record's `url` extra, else the first URL among its arguments or in its text."""
    given = getattr(record, "url", None)
    if isinstance(given, str) and given:
        return given
    args: tuple[Any, ...] = ()
    if isinstance(record.args, tuple):
        args = record.args
    elif isinstance(record.args, Mapping):  # Scrapy's "%(request)s" style
        args = tuple(record.args.values())
    for arg in args:
        if isinstance(arg, str) and arg.startswith(("http://", "https://")):
            return arg
    found = URL_IN_TEXT.search(record.msg if isinstance(record.msg, str) else "")
    if found is None:
        for arg in args:
            found = URL_IN_TEXT.search(str(arg)) if not isinstance(arg, (int, float)) else None
            if found is not None:
                break
    return found.group(0) if found else ""


def site_of_record(record: logging.LogRecord) -> str:
    given = getattr(record, "site", None)
    if isinstance(given, str) and given:
        return given
    url = url_of(record)
    return site_from_url(url) if url else ""


# ... but for these INFO lines of theirs, which tell what a user did (a Ctrl-C) and what comes of it
SCRAPY_EVENTS = ("Received %(signame)s, shutting down gracefully", "Received %(signame)s twice, forcing")


class QuietScrapy(logging.Filter):
    """Below WARNING, Scrapy's and Twisted's records are debugging, shown at -vv only, but for the
    few that are events (SCRAPY_EVENTS)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or not record.name.startswith(NOISY_LOGGERS):
            return True
        return isinstance(record.msg, str) and record.msg.startswith(SCRAPY_EVENTS)


# warnings and errors said a line a page, by Scrapy (retries given up, ignored responses, a
# spider's errors) and by ours that are (a truncated download, a failed fetch); the others say
# the first of a kind themselves and count the rest
PER_PAGE: dict[str, tuple[str, ...]] = {"crawler.capture": ("download of ",),
                                        "crawler.spiders.news": ("fetch failed: ",)}


def said_per_page(record: logging.LogRecord) -> bool:
    if record.name.startswith("scrapy"):
        return True
    prefixes = PER_PAGE.get(record.name, ())
    return bool(prefixes) and isinstance(record.msg, str) and record.msg.startswith(prefixes)


class OncePerSite(logging.Filter):
    """A warning or error said a line a page is said once per site and cause: the same call
    (logger, message, its words other than URLs) about the same site again is left out (its
    count is in the run's stats; a site answering only errors filled the screen, a line a page)."""

    def __init__(self) -> None:
        super().__init__()
        self._said: set[tuple[Any, ...]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.levelno >= logging.CRITICAL or not said_per_page(record):
            return True
        site = site_of_record(record)
        if not site:
            return True
        key = (record.name, record.msg, getattr(record, "event", None), getattr(record, "kind", None), site,
               _words(record))
        if key in self._said:
            return False
        self._said.add(key)
        return True


def _words(record: logging.LogRecord) -> tuple[str, ...]:
    """The record's arguments that name no URL: what it says of the site (a reason, a status)."""
    if isinstance(record.args, tuple):
        args: tuple[Any, ...] = record.args
    elif isinstance(record.args, Mapping):
        args = tuple(record.args.values())
    else:
        return ()
    return tuple(text for text in map(str, args) if not URL_IN_TEXT.search(text))


class RunTag(logging.Filter):
    """Stamps the current run's id on every record (the crawl sets it once it has one)."""

    def __init__(self) -> None:
        super().__init__()
        self.run = ""

    def filter(self, record: logging.LogRecord) -> bool:
        if self.run and not getattr(record, "run", None):
            record.run = self.run
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, event, message, url, site, run, logger,
    and every other field the call passed in `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        url = url_of(record)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or record.name,
            "message": record.getMessage(),
            "url": url or None,
            "site": site_of_record(record) or None,
            "run": getattr(record, "run", None) or None,
            "logger": record.name,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and key not in _NAMED:
                line[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class RoutedHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that, while a live progress area is on the terminal, prints each line above
    it through the area's console (written straight to the stream, a line would be drawn over)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self.console: Any = None  # a rich Console while a live area is shown

    def emit(self, record: logging.LogRecord) -> None:
        console = self.console
        if console is None:
            super().emit(record)
            return
        try:
            from rich.text import Text
            console.print(Text(self.format(record)), soft_wrap=True)
        except Exception:  # noqa: BLE001 - a log line must never stop the run
            self.handleError(record)


def make_handler(path: str | None, *, verbose: int, quiet: bool, log_format: str) -> logging.Handler:
    """The handler main() installs: stderr or `path` (appended to), filtered and formatted."""
    handler: logging.Handler
    if path:
        handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    else:
        handler = RoutedHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(UserinfoFilter())  # a seed's user:password@ is never printed
    handler.addFilter(RunTag())
    if verbose < 2:
        handler.addFilter(QuietScrapy())
        handler.addFilter(OncePerSite())
    handler.setLevel(level_of(verbose, quiet))  # on the handler: Scrapy resets the root logger's own level
    return handler


def our_handlers() -> list[logging.Handler]:
    return [h for h in logging.root.handlers if any(isinstance(f, RunTag) for f in h.filters)]


def tag_run(run_id: str) -> None:
    """Every record from now on carries `run_id` (in the JSON lines' `run`)."""
    for handler in our_handlers():
        for found in handler.filters:
            if isinstance(found, RunTag):
                found.run = run_id


def live_handlers() -> list[RoutedHandler]:
    """The handlers that write to a terminal and must print above a live area."""
    return [h for h in logging.root.handlers if isinstance(h, RoutedHandler)]
