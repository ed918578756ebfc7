"""Kinds of setting values, each with the words that say what it accepts: one clear line instead of
a traceback when a setting is wrong. A table (setting -> kind) is checked before the reactor starts."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Errors that reading or importing a bad value raises (load_object: ImportError, NameError, ValueError).
_BAD_VALUE = (ValueError, TypeError, ImportError, NameError, AttributeError)
_PROJECT = 20  # scrapy.settings.SETTINGS_PRIORITIES["project"]: what the user sets is above it


class SettingError(ValueError):
    """A setting has a value the crawl cannot run with; the message names the setting."""


def typed_setting(settings: Any, getter: str, name: str) -> Any:
    """settings.<getter>(name), or a SettingError that names the setting and its value."""
    try:
        return getattr(settings, getter)(name)
    except ValueError:
        raise SettingError("%s has an invalid value: %r" % (name, settings.get(name))) from None


@dataclass(frozen=True)
class Kind:
    """How a setting is read (`parse(settings, name)`, raising on a bad value) and what it accepts."""

    accepts: str
    parse: Callable[[Any, str], Any]

    def read(self, settings: Any, name: str) -> Any:
        """The setting's value, or SettingError naming the setting, the accepted values and the value."""
        try:
            return self.parse(settings, name)
        except _BAD_VALUE as err:
            detail = " (%s)" % err if isinstance(err, _Detail) else ""
            raise SettingError("%s must be %s, not %s%s" % (name, self.accepts, shown(settings.get(name)),
                                                            detail)) from None


class _Detail(ValueError):
    """A bad value whose message says which part of it is wrong (an entry of a dict)."""


def shown(value: Any) -> str:
    """A setting's value as the user gave it, short."""
    if hasattr(value, "copy_to_dict"):  # a dict setting, held as BaseSettings
        value = value.copy_to_dict()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _ranged(value: float, low: float | None, high: float | None, above: bool) -> float:
    if not math.isfinite(value) or (low is not None and (value <= low if above else value < low)) or (
            high is not None and value > high):
        raise ValueError(value)
    return value


def whole(low: int | None = 0, high: int | None = None, unit: str = "") -> Kind:
    """A whole number in [low, high]."""
    words = "a whole number" + (" of " + unit if unit else "")
    if low is not None and high is not None:
        words += " from %d to %d" % (low, high)
    elif low is not None:
        words += " >= %d" % low
    return Kind(words, lambda s, n: int(_ranged(_integer(s.get(n)), low, high, False)))


def _integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(str(value).strip()) if isinstance(value, str) else int(value)


def number(low: float = 0, *, above: bool = False, unit: str = "") -> Kind:
    """A finite number >= low (> low with `above`)."""
    words = "a number" + (" of " + unit if unit else "") + (" > %g" if above else " >= %g") % low
    return Kind(words, lambda s, n: _ranged(_real(s.get(n)), low, None, above))


def _real(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    return float(value)


BOOL = Kind("true or false (or 1 or 0)", lambda s, n: s.getbool(n))
TEXT = Kind("text", lambda s, n: str(s.get(n) or ""))


def choice(*values: str) -> Kind:
    def parse(settings: Any, name: str) -> str:
        value = str(settings.get(name))
        if value not in values:
            raise ValueError(value)
        return value
    return Kind("one of " + ", ".join(values), parse)


def _load(path: Any) -> Any:
    """The object a class path names; ImportError/NameError/ValueError if there is none."""
    from scrapy.utils.misc import load_object

    loaded = load_object(path)
    if not callable(loaded):
        raise ValueError("%s is not a class" % path)
    return loaded


def _user_set(settings: Any, name: str) -> bool:
    """Set above the project's own settings (-s, a job's settings, a spider): ours are tested."""
    return bool(settings.getpriority(name) is not None and settings.getpriority(name) > _PROJECT)


def _class_path(settings: Any, name: str) -> Any:
    value = settings.get(name)
    if value in (None, "") or not _user_set(settings, name):
        return value
    return _load(value)


CLASS = Kind("an importable class path (package.module.Class)", _class_path)


def _entries(settings: Any, name: str) -> Mapping[Any, Any]:
    """A dict setting's entries that the user set (what Scrapy and the project set are fine)."""
    value = settings.get(name)
    if value is None:
        return {}
    if not hasattr(value, "getpriority"):
        return dict(settings.getdict(name))  # a plain dict from a test or a script
    return {key: value[key] for key in value if (value.getpriority(key) or 0) > _PROJECT}


def _components(settings: Any, name: str) -> Mapping[Any, Any]:
    entries = _entries(settings, name)
    for path, order in entries.items():
        _component(path)
        if order is not None and (isinstance(order, bool) or not isinstance(order, (int, float))):
            raise _Detail("order of %s: %r is not a number" % (path, order))
    return entries


def _component(path: Any) -> None:
    if isinstance(path, str):
        try:
            _load(path)
        except _BAD_VALUE as err:
            raise _Detail("%s: %s" % (path, err)) from None


def _handlers(settings: Any, name: str) -> Mapping[Any, Any]:
    entries = _entries(settings, name)
    for scheme, path in entries.items():
        if not isinstance(scheme, str) or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
            raise _Detail("%r is not a URL scheme" % (scheme,))
        if path is not None:
            _component(path)
    return entries


def _headers(settings: Any, name: str) -> Mapping[Any, Any]:
    entries = _entries(settings, name)
    for header, value in entries.items():
        if not isinstance(header, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", header):
            raise _Detail("%r is not a header name" % (header,))
        if value is not None and not isinstance(value, (str, bytes)):
            raise _Detail("header %s: %r is not text" % (header, value))
    return entries


COMPONENTS = Kind("a JSON object of importable class paths to order numbers (or null)", _components)
HANDLERS = Kind("a JSON object of URL schemes to importable class paths (or null)", _handlers)
HEADERS = Kind("a JSON object of header names to text", _headers)
DICT = Kind("a JSON object", lambda s, n: s.getdict(n))


def _status_codes(settings: Any, name: str) -> list[int]:
    codes = [_integer(code) for code in settings.getlist(name)]
    if any(not 100 <= code <= 599 for code in codes):
        raise ValueError(codes)
    return codes


def _regexes(settings: Any, name: str) -> tuple[str, ...]:
    patterns = tuple(str(p) for p in settings.getlist(name) if p)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise _Detail("bad regular expression %r: %s" % (pattern, err)) from None
    return patterns


REGEXES = Kind("a list of regular expressions", _regexes)
STATUS_CODES = Kind("a list of HTTP status codes (e.g. 500,502,503)", _status_codes)


def problems_in(settings: Any, table: Mapping[str, Kind]) -> list[str]:
    """Every setting of `table` that `settings` holds a bad value for, one message each (a setting
    that is not set is left to its reader's default)."""
    found = []
    for name, kind in table.items():
        if settings.get(name) is None:
            continue
        try:
            kind.read(settings, name)
        except SettingError as err:
            found.append(str(err))
    return found
