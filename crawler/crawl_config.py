"""The crawl's own settings, read once into typed values and checked before the reactor starts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.setting_types import SettingError, typed_setting


@dataclass(frozen=True)
class ExtractConfig:
    """EXTRACT_* and DEDUPE_*: how pages become items."""

    workers: int  # extraction processes; 0 extracts in the crawl process
    min_text_length: int
    near_distance: int  # SimHash bits; 0 turns near-duplicate detection off

    @classmethod
    def from_settings(cls, settings: Any) -> ExtractConfig:
        from pipelines.workers import default_workers

        value = settings.get("EXTRACT_WORKERS", "auto")
        if value in (None, "", "auto"):
            workers = default_workers()
        else:
            try:
                workers = int(value)
            except (TypeError, ValueError):
                raise SettingError("EXTRACT_WORKERS must be 'auto' or a whole number >= 0, not %r" % (value,)) from None
        if workers < 0:
            raise SettingError("EXTRACT_WORKERS must be 'auto' or a whole number >= 0, not %r" % (value,))
        config = cls(workers=workers,
                     min_text_length=typed_setting(settings, "getint", "EXTRACT_MIN_TEXT_LENGTH"),
                     near_distance=typed_setting(settings, "getint", "DEDUPE_NEAR_DISTANCE"))
        if config.min_text_length < 0:
            raise SettingError("EXTRACT_MIN_TEXT_LENGTH must be a whole number >= 0, not %r"
                               % settings.get("EXTRACT_MIN_TEXT_LENGTH"))
        if not 0 <= config.near_distance <= 3:  # the store's band index finds matches up to 3
            raise SettingError("DEDUPE_NEAR_DISTANCE must be a number of SimHash bits from 0 to 3, not %r"
                               % settings.get("DEDUPE_NEAR_DISTANCE"))
        return config
