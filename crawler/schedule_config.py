"""The schedule file (TOML): jobs, each a recurring crawl; every problem reported at once."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from croniter import croniter

from archive.collection import NAME_RE
from pipelines.canonical import InvalidURL, canonicalize

JOB_KEYS = {"name", "collection", "seeds", "interval", "cron", "max_pages", "allow_private",
            "since", "settings", "scope", "allow", "deny", "max_depth", "recrawl_days", "conditional"}
DEFAULT_KEYS = JOB_KEYS - {"name", "collection", "seeds"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ConfigError(Exception):
    """The schedule file is wrong; `problems` lists every one, each naming file and line or job."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Job:
    name: str
    collection: str
    seeds: tuple[str, ...]
    interval: timedelta | None = None
    cron: str | None = None
    max_pages: int = 0
    allow_private: bool = False
    since_hours: float | None = None
    scope: str | None = None
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_depth: int | None = None
    recrawl_days: float | None = None
    conditional: bool = True  # scheduled runs ask for unchanged feeds and listings conditionally
    settings: dict[str, str] = field(default_factory=dict)

    def crawl_args(self, root: str) -> list[str]:
        """The `newsarchive crawl` command line of one run of this job."""
        args = ["crawl", *self.seeds, "--root", root, "--collection", self.collection]
        if self.max_pages:
            args += ["--max-pages", str(self.max_pages)]
        if self.allow_private:
            args.append("--allow-private")
        if self.since_hours:
            args += ["--since", "%gh" % self.since_hours]
        if self.scope:
            args += ["--scope", self.scope]
        for pattern in self.allow:
            args += ["--allow", pattern]
        for pattern in self.deny:
            args += ["--deny", pattern]
        if self.max_depth is not None:
            args += ["--max-depth", str(self.max_depth)]
        if self.recrawl_days:
            args += ["--recrawl-days", "%g" % self.recrawl_days]
        if self.conditional:
            args.append("--conditional")
        for key, value in sorted(self.settings.items()):
            args += ["-s", "%s=%s" % (key, value)]
        return args


def parse_duration(value: object) -> timedelta:
    """'90s', '15m', '2h', '1d', '1w' or a number of minutes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) * 60
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("%r is not a duration (90s, 15m, 2h, 1d, 1w)" % value)
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "m").lower()]
    if seconds < 60:
        raise ValueError("interval %r is shorter than a minute" % value)
    return timedelta(seconds=seconds)


def _job_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"^\s*\[\[\s*jobs?\s*\]\]", line)]


def load_config(path: str) -> tuple[list[Job], dict[str, Any]]:
    """(jobs, top-level options) from a schedule file, or ConfigError with every problem."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise ConfigError(["%s: cannot read: %s" % (path, err.strerror)]) from None
    text = raw.decode("utf-8", "replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(["%s: not valid TOML: %s" % (path, err)]) from None
    problems: list[str] = []
    top = {k: v for k, v in data.items() if k not in ("job", "jobs", "defaults")}
    for key in top:
        if key != "root":
            problems.append("%s: unknown top-level key %r (known: root, [defaults], [[job]])" % (path, key))
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append("%s: [defaults] must be a table" % path)
        defaults = {}
    for key in defaults:
        if key not in DEFAULT_KEYS:
            problems.append("%s: [defaults]: unknown key %r" % (path, key))
    entries = data.get("job", data.get("jobs", []))
    if not isinstance(entries, list) or not entries:
        problems.append("%s: no jobs: add at least one [[job]] with name, seeds and interval or cron" % path)
        entries = []
    lines = _job_lines(text)
    jobs, names = [], set()
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 0
        where = "%s:%d" % (path, line) if line else path
        named = isinstance(entry, dict) and entry.get("name")
        label = "job %r" % entry.get("name") if named else "job #%d" % (index + 1)
        if not isinstance(entry, dict):
            problems.append("%s: %s must be a table" % (where, label))
            continue
        job_problems: list[str] = []
        job = _job({**defaults, **entry}, job_problems)
        problems += ["%s: %s: %s" % (where, label, p) for p in job_problems]
        if job is not None:
            if job.name in names:
                problems.append("%s: %s: the name is used by another job" % (where, label))
            names.add(job.name)
            jobs.append(job)
    if problems:
        raise ConfigError(problems)
    return jobs, top


def _job(entry: dict[str, Any], problems: list[str]) -> Job | None:
    for key in entry:
        if key not in JOB_KEYS:
            problems.append("unknown key %r" % key)
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append("name must be letters, digits, '.', '_' or '-' (got %r)" % (name,))
    collection = entry.get("collection", name)
    if not isinstance(collection, str) or not NAME_RE.match(collection):
        problems.append("collection must be letters, digits, '.', '_' or '-' (got %r)" % (collection,))
    seeds = entry.get("seeds")
    canonical: list[str] = []
    if isinstance(seeds, str):
        seeds = [seeds]
    if not isinstance(seeds, list) or not seeds:
        problems.append("seeds must be a non-empty list of URLs")
    else:
        for seed in seeds:
            try:
                canonical.append(canonicalize(str(seed)))
            except InvalidURL as err:
                problems.append("bad seed URL %s" % err)
    interval, cron = None, entry.get("cron")
    if ("interval" in entry) == (cron is not None):
        problems.append("give exactly one of interval (e.g. '15m') and cron (e.g. '*/15 * * * *')")
    if "interval" in entry:
        try:
            interval = parse_duration(entry["interval"])
        except ValueError as err:
            problems.append(str(err))
    if cron is not None and (not isinstance(cron, str) or not croniter.is_valid(cron)):
        problems.append("cron %r is not a valid cron expression" % (cron,))
    max_pages = entry.get("max_pages", 0)
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 0:
        problems.append("max_pages must be a whole number >= 0 (got %r)" % (max_pages,))
    allow_private = entry.get("allow_private", False)
    if not isinstance(allow_private, bool):
        problems.append("allow_private must be true or false")
    conditional = entry.get("conditional", True)
    if not isinstance(conditional, bool):
        problems.append("conditional must be true or false")
    since_hours = None
    if "since" in entry:
        try:
            since_hours = parse_duration(entry["since"]).total_seconds() / 3600
        except ValueError as err:
            problems.append("since: %s" % err)
    scope = entry.get("scope")
    if scope not in (None, "domain", "host"):
        problems.append("scope must be 'domain' or 'host' (got %r)" % (scope,))
    patterns: dict[str, tuple[str, ...]] = {}
    for key in ("allow", "deny"):
        value = entry.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list):
            problems.append("%s must be a list of regular expressions" % key)
            value = []
        for pattern in value:
            try:
                re.compile(str(pattern))
            except re.error as err:
                problems.append("%s: bad regular expression %r: %s" % (key, pattern, err))
        patterns[key] = tuple(str(p) for p in value)
    max_depth = entry.get("max_depth")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 0):
        problems.append("max_depth must be a whole number >= 0")
    recrawl_days = entry.get("recrawl_days")
    if recrawl_days is not None and (isinstance(recrawl_days, bool) or not isinstance(recrawl_days, (int, float))
                                     or recrawl_days < 0):
        problems.append("recrawl_days must be a number of days >= 0")
    settings = entry.get("settings", {})
    if not isinstance(settings, dict):
        problems.append("settings must be a table of Scrapy settings")
        settings = {}
    for key, value in settings.items():
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key) or isinstance(value, (dict, list)):
            problems.append("setting %r: keys are UPPER_CASE names, values strings or numbers" % key)
    if problems:
        return None
    return Job(
        name=str(name), collection=str(collection), seeds=tuple(canonical), interval=interval,
        cron=cron, max_pages=int(max_pages), allow_private=bool(allow_private),
        since_hours=since_hours, scope=scope, allow=patterns["allow"], deny=patterns["deny"],
        max_depth=max_depth, conditional=bool(conditional), recrawl_days=float(recrawl_days) if recrawl_days else None,
        settings={k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in settings.items()},
    )
