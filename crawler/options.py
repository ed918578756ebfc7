"""What one crawl is asked to do, however it was asked: `newsarchive crawl`'s options, a job of the
schedule file, or Scrapy settings. One value (`CrawlOptions`), one table of its options (how each is
spelled on the command line and in jobs.toml, what it accepts, which setting it becomes) and one
validator, `problems()`, which also checks the Scrapy settings the options make.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pipelines.canonical import InvalidURL, canonicalize

_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
def checked_seed(url: str) -> str:
    """The canonical form of a seed URL, or InvalidURL saying what is wrong with it (canonicalize
    refuses hosts that are no host name or address, as it does for every link)."""
    return canonicalize(url)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def parse_duration(value: object) -> timedelta:
    """'90s', '15m', '2h', '1d', '1w' or a number of minutes, at least a minute."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) * 60
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("%r is not a duration (90s, 15m, 2h, 1d, 1w)" % (value,))
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "m").lower()]
    if seconds < 60:
        raise ValueError("%r is shorter than a minute" % (value,))
    return timedelta(seconds=seconds)


def _duration_hours(value: Any) -> Any:
    """A jobs-file duration ('36h', '2d'; a bare number is minutes) in hours; left as is if it is none."""
    try:
        return parse_duration(value).total_seconds() / 3600
    except ValueError:
        return value


def _as_list(value: Any) -> Any:
    return (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else value


def setting_text(value: Any) -> str:
    """A jobs-file setting's value as `-s` would give it: a table or array as JSON, true as 'true'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _setting_texts(value: Any) -> Any:
    return {str(k): setting_text(v) for k, v in value.items()} if isinstance(value, dict) else value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _seed_problems(seeds: tuple[str, ...]) -> list[str]:
    found = []
    for seed in seeds:
        try:
            checked_seed(seed)
        except InvalidURL as err:
            found.append("bad seed URL %s" % err)
    return found


def _texts(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(p, str) for p in value)


def _setting_name_problems(settings: Mapping[Any, Any]) -> list[str]:
    return ["setting %r: a setting's name is UPPER_CASE" % (k,) for k in settings
            if not (isinstance(k, str) and _SETTING_NAME.fullmatch(k))]


def _pattern_problems(label: str, patterns: tuple[str, ...]) -> list[str]:
    found = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            found.append("%s: bad regular expression %r: %s" % (label, pattern, err))
    return found


@dataclass(frozen=True)
class Option:
    """One crawl option: its CrawlOptions field, jobs.toml key, command-line flag and setting."""

    field: str
    key: str
    flag: str
    accepts: str
    valid: Callable[[Any], bool]
    setting: str = ""  # the setting it becomes; "": none (seeds, max_pages, settings)
    from_toml: Callable[[Any], Any] = lambda value: value
    text: str = "%s"  # how the command line spells its value
    check: Callable[[str, Any], list[str]] = lambda label, value: []  # of each part of a valid value
    as_setting: Callable[[Any], Any] = lambda value: value  # the setting's value for the option's

    def label(self, flags: bool) -> str:
        return self.flag if flags else self.key


OPTIONS = (
    Option("seeds", "seeds", "SEED", "a non-empty list of http(s) URLs",
           lambda v: isinstance(v, tuple) and bool(v) and all(isinstance(s, str) for s in v),
           from_toml=_as_list, check=lambda label, seeds: _seed_problems(seeds)),
    Option("scope", "scope", "--scope", "'domain' or 'host'", lambda v: v in ("domain", "host"),
           setting="DISCOVERY_SCOPE"),
    Option("allow", "allow", "--allow", "a list of regular expressions", _texts, "DISCOVERY_ALLOW", _as_list,
           check=_pattern_problems),
    Option("deny", "deny", "--deny", "a list of regular expressions", _texts, "DISCOVERY_DENY", _as_list,
           check=_pattern_problems),
    Option("max_depth", "max_depth", "--max-depth", "a whole number >= 0", _whole, "DISCOVERY_MAX_DEPTH"),
    Option("since_hours", "since", "--since", "a duration > 0 (e.g. '36h', '2d')", _positive_number,
           "DISCOVERY_SINCE_HOURS", _duration_hours, text="%gh"),
    Option("recrawl_days", "recrawl_days", "--recrawl-days", "a number of days >= 0",
           lambda v: _positive_number(v) or v == 0, "FETCH_RECRAWL_DAYS", text="%g"),
    Option("conditional", "conditional", "--conditional", "true or false", _flag, "FETCH_CONDITIONAL"),
    Option("max_pages", "max_pages", "--max-pages", "a whole number >= 0", _whole),
    Option("allow_private", "allow_private", "--allow-private", "true or false", _flag, "FETCH_ALLOW_PRIVATE"),
    # on by default: the option turns it off (jobs.toml: requisites = false)
    Option("no_requisites", "requisites", "--no-requisites", "true or false", _flag, "REQUISITES_ENABLED",
           lambda value: not value if isinstance(value, bool) else value, as_setting=lambda value: not value),
    Option("requisites_per_page", "requisites_per_page", "--requisites-per-page", "a whole number >= 0", _whole,
           "REQUISITES_PER_PAGE"),
    Option("requisite_max_size", "requisite_max_size", "--requisite-max-size", "a whole number of bytes >= 0",
           _whole, "REQUISITES_MAX_SIZE"),
    Option("settings", "settings", "-s", "a table of Scrapy settings", lambda v: isinstance(v, Mapping),
           from_toml=_setting_texts, check=lambda label, settings: _setting_name_problems(settings)),
)
OPTION_KEYS = {option.key: option for option in OPTIONS}


# options whose 0 is a value of its own ("no bound"), not "as the settings have it"
_ZERO_MEANS = frozenset(("requisites_per_page", "requisite_max_size"))


def _unset(option: Option, value: Any) -> bool:
    """Left as the settings have it: None, empty, false or (most options) 0."""
    return value is None or value == () or value is False or (value == 0 and option.field not in _ZERO_MEANS)


@dataclass(frozen=True)
class CrawlOptions:
    """One crawl's seeds and options; unset options (None, empty) leave the settings' defaults."""

    seeds: tuple[str, ...] = ()
    scope: str | None = None
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_depth: int | None = None
    since_hours: float | None = None
    recrawl_days: float | None = None
    conditional: bool = False
    max_pages: int = 0
    allow_private: bool = False
    no_requisites: bool = False
    requisites_per_page: int | None = None
    requisite_max_size: int | None = None
    settings: Mapping[str, str] = field(default_factory=dict)  # -s KEY=VALUE, a job's settings

    @classmethod
    def from_job(cls, entry: Mapping[str, Any]) -> CrawlOptions:
        """From a jobs.toml table (its keys as OPTIONS name them); problems() checks the values."""
        return cls(**{o.field: o.from_toml(entry[o.key]) for o in OPTIONS if o.key in entry})

    # -- checking ---------------------------------------------------------------------------
    def problems(self, *, flags: bool = False, require_seeds: bool = True) -> list[str]:
        """Everything wrong with these options and the settings they make, one message each;
        options named as on the command line (`flags`) or as in jobs.toml."""
        found: list[str] = []
        bad = set()
        for option in OPTIONS:
            if option.field == "seeds" and not self.seeds and not require_seeds:
                continue
            wrong = self._option_problems(option, flags)
            if wrong:
                bad.add(option.field)
                found += wrong
        if "settings" not in bad:
            found += self._settings_problems(bad)
        return found

    def _option_problems(self, option: Option, flags: bool) -> list[str]:
        value = getattr(self, option.field)
        if value is None or value == getattr(CrawlOptions(), option.field) and option.field != "seeds":
            return []
        label = option.label(flags)
        if not option.valid(value):
            return ["%s must be %s (got %r)" % (label, option.accepts, _plain(value))]
        return option.check(label, value)

    def _settings_problems(self, skip: set[str]) -> list[str]:
        from crawler.crawl_config import project_settings, settings_problems
        from crawler.setting_types import SettingError

        try:
            return settings_problems(project_settings(self.overrides(skip)))
        except SettingError as err:
            return [str(err)]

    # -- what the options become ------------------------------------------------------------
    def seed_urls(self) -> list[str]:
        """The seeds in canonical form (InvalidURL for a bad one: problems() says which)."""
        return [checked_seed(s) for s in self.seeds]

    def overrides(self, skip: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        """The Scrapy settings these options set (those of `skip` left out), then `settings`."""
        made: dict[str, Any] = {}
        for option in OPTIONS:
            value = getattr(self, option.field)
            if option.setting and option.field not in skip and not _unset(option, value):
                made[option.setting] = list(value) if isinstance(value, tuple) else option.as_setting(value)
        made.update(self.settings)
        return made

    def crawl_args(self) -> list[str]:
        """These options as `newsarchive crawl` arguments (the seeds first)."""
        args = list(self.seeds)
        for option in OPTIONS:
            value = getattr(self, option.field)
            if option.field in ("seeds", "settings") or _unset(option, value):
                continue
            if value is True:
                args.append(option.flag)
            else:
                for one in value if isinstance(value, tuple) else (value,):
                    args += [option.flag, option.text % one]
        for key, value in sorted(self.settings.items()):
            args += ["-s", "%s=%s" % (key, value)]
        return args
