"""Reading settings with errors that name the setting: one clear line instead of a traceback."""
from __future__ import annotations

from typing import Any


class SettingError(ValueError):
    """A setting has a value the crawl cannot run with; the message names the setting."""


def typed_setting(settings: Any, getter: str, name: str) -> Any:
    """settings.<getter>(name), or a SettingError that names the setting and its value."""
    try:
        return getattr(settings, getter)(name)
    except ValueError:
        raise SettingError("%s has an invalid value: %r" % (name, settings.get(name))) from None
