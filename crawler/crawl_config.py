"""Every setting a crawl reads, checked once before the reactor starts: `check_settings(settings)`.

The project's own settings are read into typed configs (ARCHIVE_* -> CaptureConfig, DISCOVERY_* ->
DiscoveryConfig, EXTRACT_* and DEDUPE_* -> ExtractConfig); FETCH_* and the Scrapy settings the crawl
reads are checked against the table below (setting -> kind of value). A bad value is a SettingError
that names the setting and what it accepts: exit 2, and nothing was created.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.setting_types import (
    BOOL,
    CLASS,
    COMPONENTS,
    DICT,
    HANDLERS,
    HEADERS,
    STATUS_CODES,
    TEXT,
    Kind,
    SettingError,
    choice,
    number,
    problems_in,
    shown,
    whole,
)

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.capture import CaptureConfig
    from crawler.scope import DiscoveryConfig

SECONDS, BYTES = "seconds", "bytes"

SETTINGS: dict[str, Kind] = {
    # the project's FETCH_* (ARCHIVE_*, DISCOVERY_*, EXTRACT_*, DEDUPE_*: their configs below)
    "FETCH_ALLOW_PRIVATE": BOOL,
    "FETCH_CONDITIONAL": BOOL,
    "FETCH_RECRAWL_DAYS": number(0, unit="days"),
    "FETCH_PRIVATE_HINT": TEXT,
    "FETCH_RETRY_AFTER_MAX": number(0, unit=SECONDS),
    # page requisites (crawler/requisites.py)
    "REQUISITES_ENABLED": BOOL,
    "REQUISITES_MAX_HOPS": whole(0, unit="embed hops"),
    "REQUISITES_PER_PAGE": whole(0, unit="requisites"),
    "REQUISITES_MAX_SIZE": whole(0, unit=BYTES),
    # bounds on the work of one response (crawler/bounds.py)
    "DISCOVERY_MAX_LINKS_PER_PAGE": whole(0, unit="links"),
    "DISCOVERY_MAX_ENTRIES": whole(0, unit="entries"),
    # Scrapy's numbers
    "DOWNLOAD_DELAY": number(0, unit=SECONDS),
    "DOWNLOAD_TIMEOUT": number(0, above=True, unit=SECONDS),
    "DOWNLOAD_MAXSIZE": whole(0, unit=BYTES),
    "DOWNLOAD_WARNSIZE": whole(0, unit=BYTES),
    "CONCURRENT_REQUESTS": whole(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": whole(1),
    "CONCURRENT_REQUESTS_PER_IP": whole(0),
    "CONCURRENT_ITEMS": whole(1),
    "SCRAPER_SLOT_MAX_ACTIVE_SIZE": whole(1, unit=BYTES),
    "REACTOR_THREADPOOL_MAXSIZE": whole(1),
    "DNS_TIMEOUT": number(0, above=True, unit=SECONDS),
    "DNSCACHE_SIZE": whole(0),
    "RETRY_TIMES": whole(0),
    "RETRY_PRIORITY_ADJUST": whole(None),
    "RETRY_HTTP_CODES": STATUS_CODES,
    "HTTPERROR_ALLOWED_CODES": STATUS_CODES,
    "REDIRECT_MAX_TIMES": whole(0),
    "REDIRECT_PRIORITY_ADJUST": whole(None),
    "METAREFRESH_MAXDELAY": whole(0, unit=SECONDS),
    "AUTOTHROTTLE_START_DELAY": number(0, unit=SECONDS),
    "AUTOTHROTTLE_MAX_DELAY": number(0, unit=SECONDS),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": number(0, above=True),
    "CLOSESPIDER_TIMEOUT": number(0, unit=SECONDS),
    "CLOSESPIDER_TIMEOUT_NO_ITEM": whole(0, unit=SECONDS),
    "CLOSESPIDER_ITEMCOUNT": whole(0),
    "CLOSESPIDER_PAGECOUNT": whole(0),
    "CLOSESPIDER_PAGECOUNT_NO_ITEM": whole(0),
    "CLOSESPIDER_ERRORCOUNT": whole(0),
    "DEPTH_LIMIT": whole(0),
    "DEPTH_PRIORITY": whole(None),
    "URLLENGTH_LIMIT": whole(0),
    "MEMUSAGE_LIMIT_MB": whole(0),
    "MEMUSAGE_WARNING_MB": whole(0),
    "MEMUSAGE_CHECK_INTERVAL_SECONDS": number(0, above=True, unit=SECONDS),
    "LOGSTATS_INTERVAL": number(0, unit=SECONDS),
    # Scrapy's switches
    **dict.fromkeys((
        "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_DEBUG", "COOKIES_ENABLED", "COOKIES_DEBUG",
        "RETRY_ENABLED", "REDIRECT_ENABLED", "METAREFRESH_ENABLED", "COMPRESSION_ENABLED",
        "RANDOMIZE_DOWNLOAD_DELAY", "HTTPCACHE_ENABLED", "HTTPERROR_ALLOW_ALL", "HTTPPROXY_ENABLED",
        "DNSCACHE_ENABLED", "DOWNLOAD_FAIL_ON_DATALOSS", "REFERER_ENABLED", "DEPTH_STATS_VERBOSE",
        "DUPEFILTER_DEBUG", "SCHEDULER_DEBUG", "MEMUSAGE_ENABLED", "TELNETCONSOLE_ENABLED",
        "REMOTE_CONTROL_ENABLED", "STATS_DUMP", "LOG_ENABLED", "LOG_STDOUT", "LOG_SHORT_NAMES",
        "DOWNLOADER_STATS",
    ), BOOL),
    "LOG_LEVEL": choice("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"),
    # Scrapy's dicts (a -s value is JSON) and class paths (importable)
    "DEFAULT_REQUEST_HEADERS": HEADERS,
    "DOWNLOAD_HANDLERS": HANDLERS,
    "DOWNLOAD_SLOTS": DICT,
    **dict.fromkeys(("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS", "ADDONS"),
                    COMPONENTS),
    **dict.fromkeys((
        "DUPEFILTER_CLASS", "SCHEDULER", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE",
        "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_START_DISK_QUEUE", "SCHEDULER_START_MEMORY_QUEUE",
        "STATS_CLASS", "DOWNLOADER", "TWISTED_DNS_RESOLVER", "LOG_FORMATTER", "REQUEST_FINGERPRINTER_CLASS",
        "ROBOTSTXT_PARSER", "ITEM_PROCESSOR", "HTTPCACHE_STORAGE",
        "HTTPCACHE_POLICY",
    ), CLASS),
}


def _workers(settings: Any, name: str) -> int:
    from pipelines.workers import default_workers

    value = settings.get(name)
    return default_workers() if value in (None, "", "auto") else int(whole(0).parse(settings, name))


EXTRACT_SETTINGS = {
    "EXTRACT_WORKERS": Kind("'auto' or a whole number >= 0", _workers),
    "EXTRACT_MIN_TEXT_LENGTH": whole(0, unit="characters"),
    # SimHash bits; the store's band index finds near duplicates up to 3 bits apart
    "DEDUPE_NEAR_DISTANCE": whole(0, 3, unit="SimHash bits"),
}


@dataclass(frozen=True)
class ExtractConfig:
    """EXTRACT_* and DEDUPE_*: how pages become items."""

    workers: int  # extraction processes; 0 extracts in the crawl process
    min_text_length: int
    near_distance: int  # SimHash bits; 0 turns near-duplicate detection off

    @classmethod
    def from_settings(cls, settings: Any) -> ExtractConfig:
        read = {name: kind.read(settings, name) for name, kind in EXTRACT_SETTINGS.items()}
        return cls(workers=read["EXTRACT_WORKERS"], min_text_length=read["EXTRACT_MIN_TEXT_LENGTH"],
                   near_distance=read["DEDUPE_NEAR_DISTANCE"])


@dataclass(frozen=True)
class CrawlConfig:
    """The project's settings of one crawl, read and checked."""

    capture: CaptureConfig
    discovery: DiscoveryConfig
    extract: ExtractConfig


def settings_problems(settings: Any) -> list[str]:
    """Every problem with `settings`, one message each (a config reports its first)."""
    from crawler.capture import CaptureConfig
    from crawler.scope import DiscoveryConfig

    found = problems_in(settings, SETTINGS)
    for config in (CaptureConfig, DiscoveryConfig, ExtractConfig):
        try:
            config.from_settings(settings)
        except SettingError as err:
            found.append(str(err))
    return found


def check_settings(settings: Any) -> CrawlConfig:
    """The crawl's configs from `settings`, or SettingError with the first problem."""
    from crawler.capture import CaptureConfig
    from crawler.scope import DiscoveryConfig

    found = problems_in(settings, SETTINGS)
    if found:
        raise SettingError(found[0])
    return CrawlConfig(CaptureConfig.from_settings(settings), DiscoveryConfig.from_settings(settings),
                       ExtractConfig.from_settings(settings))


def project_settings(overrides: Mapping[str, Any]) -> Settings:
    """The project's settings (crawler/settings.py) with `overrides` on top, in their order.

    A -s value for a dict setting is JSON, parsed as it is set: a bad one is a SettingError here."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        try:
            settings.set(name, value, priority="cmdline")
        except (ValueError, TypeError):
            kind = SETTINGS.get(name)
            accepts = kind.accepts if kind is not None and kind.accepts.startswith("a JSON") else "a JSON object"
            raise SettingError("%s must be %s, not %s" % (name, accepts, shown(value))) from None
    return settings
