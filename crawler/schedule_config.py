"""The schedule file (TOML): jobs, each a recurring crawl; every problem reported at once."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from croniter import croniter

from archive.collection import NAME_RE
from crawler.options import OPTION_KEYS, CrawlOptions, parse_duration

# the job's own keys; the rest are crawl options (crawler/options.py), also allowed in [defaults]
JOB_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "name": lambda v: None if isinstance(v, str) and NAME_RE.match(v) else
    "name must be letters, digits, '.', '_' or '-' (got %r)" % (v,),
    "collection": lambda v: None if isinstance(v, str) and NAME_RE.match(v) else
    "collection must be letters, digits, '.', '_' or '-' (got %r)" % (v,),
    "interval": lambda v: _error_of(parse_duration, v, "interval: "),
    "cron": lambda v: None if isinstance(v, str) and croniter.is_valid(v) else
    "cron %r is not a valid cron expression" % (v,),
}
JOB_KEYS = set(JOB_CHECKS) | set(OPTION_KEYS)
DEFAULT_KEYS = JOB_KEYS - {"name", "collection", "seeds"}
JOB_DEFAULTS = {"conditional": True}  # scheduled runs ask for unchanged feeds and listings conditionally


class ConfigError(Exception):
    """The schedule file is wrong; `problems` lists every one, each naming file and line or job."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Job:
    name: str
    collection: str
    options: CrawlOptions
    interval: timedelta | None = None
    cron: str | None = None

    def crawl_args(self, root: str) -> list[str]:
        """The `newsarchive crawl` command line of one run of this job."""
        hint = "FETCH_PRIVATE_HINT=set allow_private = true for job %r in the schedule file" % self.name
        return ["crawl", "-s", hint, *self.options.crawl_args(), "--root", root, "--collection", self.collection]


def _error_of(check: Callable[[Any], object], value: Any, prefix: str = "") -> str | None:
    try:
        check(value)
    except ValueError as err:
        return prefix + str(err)
    return None


def _table_lines(text: str, pattern: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(pattern, line)]


def load_config(path: str) -> tuple[list[Job], dict[str, Any]]:
    """(jobs, top-level options) from a schedule file, or ConfigError with every problem.

    The jobs' options and settings are checked as a crawl checks them: what passes here runs."""
    text, data = _read(path)
    top = {k: v for k, v in data.items() if k not in ("job", "jobs", "defaults")}
    problems = ["%s: unknown top-level key %r (known: root, [defaults], [[job]])" % (path, key)
                for key in top if key != "root"]
    if not isinstance(top.get("root", ""), str):
        problems.append("%s: root must be a folder name (got %r)" % (path, top["root"]))
    lines = _table_lines(text, r"^\s*\[\s*defaults\s*\]")
    defaults = _checked_defaults(data.get("defaults", {}), "%s:%d" % (path, lines[0]) if lines else path, problems)
    entries = data.get("job", data.get("jobs", []))
    if not isinstance(entries, list) or not entries:
        problems.append("%s: no jobs: add at least one [[job]] with name, seeds and interval or cron" % path)
        entries = []
    places = ["%s:%d" % (path, n) for n in _table_lines(text, r"^\s*\[\[\s*jobs?\s*\]\]")]
    jobs = _jobs(entries, defaults, places + [path] * (len(entries) - len(places)), problems)
    if problems:
        raise ConfigError(problems)
    return jobs, top


def _read(path: str) -> tuple[str, dict[str, Any]]:
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError as err:
        raise ConfigError(["%s: cannot read: %s" % (path, err.strerror)]) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(["%s: not valid TOML: %s" % (path, err)]) from None


def _jobs(entries: list[Any], defaults: dict[str, Any], places: list[str], problems: list[str]) -> list[Job]:
    """The jobs of the [[job]] tables (at `places`: file and line); their problems added to `problems`."""
    jobs: list[Job] = []
    names: dict[object, str] = {}
    for index, (entry, where) in enumerate(zip(entries, places, strict=False)):
        named = isinstance(entry, dict) and isinstance(entry.get("name"), str)
        label = "job %r" % entry["name"] if named else "job #%d" % (index + 1)
        if not isinstance(entry, dict):
            problems.append("%s: %s must be a table" % (where, label))
            continue
        if named and entry["name"] in names:  # said whatever else is wrong with either job
            problems.append("%s: %s: the name is used by another job (%s)" % (where, label, names[entry["name"]]))
        names.setdefault(entry.get("name"), where)
        job, job_problems = _job(_merged(defaults, entry))
        problems += ["%s: %s: %s" % (where, label, p) for p in job_problems]
        if job is not None:
            jobs.append(job)
    return jobs


def _checked_defaults(defaults: Any, where: str, problems: list[str]) -> dict[str, Any]:
    """The [defaults] keys that are right (each wrong one reported here, once, not per job)."""
    if not isinstance(defaults, dict):
        problems.append("%s: [defaults] must be a table" % where)
        return {}
    good = {}
    for key, value in defaults.items():
        if key not in DEFAULT_KEYS:
            found = ["unknown key %r" % key]
        elif key in JOB_CHECKS:
            found = [p for p in (JOB_CHECKS[key](value),) if p]
        else:
            found = CrawlOptions.from_job({key: value}).problems(require_seeds=False)
        problems += ["%s: [defaults]: %s" % (where, p) for p in found]
        if not found:
            good[key] = value
    return good


def _merged(defaults: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A job's table over [defaults] and the jobs' own defaults; settings merge key by key."""
    merged = {**JOB_DEFAULTS, **defaults, **entry}
    if isinstance(defaults.get("settings"), dict) and isinstance(entry.get("settings"), dict):
        merged["settings"] = {**defaults["settings"], **entry["settings"]}
    merged.setdefault("collection", merged.get("name"))
    return merged


def _job(entry: dict[str, Any]) -> tuple[Job | None, list[str]]:
    """The job a (merged) table describes, or None and every problem with it."""
    problems = ["unknown key %r" % key for key in entry if key not in JOB_KEYS]
    problems += [p for key, check in JOB_CHECKS.items() if key in entry or key == "name"
                 for p in (check(entry.get(key)),) if p]
    if ("interval" in entry) == ("cron" in entry):
        problems.append("give exactly one of interval (e.g. '15m') and cron (e.g. '*/15 * * * *')")
    options = CrawlOptions.from_job(entry)
    problems += options.problems()
    if problems:
        return None, problems
    interval = parse_duration(entry["interval"]) if "interval" in entry else None
    return Job(entry["name"], entry["collection"], options, interval, entry.get("cron")), []
