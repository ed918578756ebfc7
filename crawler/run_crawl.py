"""Run the news spider in this process over a collection and return its run report."""
from __future__ import annotations

import ipaddress
import json
import logging
import os
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.collection import Collection, new_run_id
from crawler.capture import CaptureConfig
from crawler.scope import DiscoveryConfig
from crawler.setting_types import SettingError
from crawler.spiders.news import NewsSpider
from pipelines.canonical import InvalidURL, canonicalize, host_of

logger = logging.getLogger(__name__)

LOG_LEVELS = ("WARNING", "INFO", "DEBUG")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def crawl_settings(
    collection: Collection, run_id: str, seeds: list[str], *, allow_private: bool,
    overrides: dict[str, Any], verbose: int,
) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if all(is_loopback_host(host_of(s)) for s in seeds):
        # a local server needs no politeness: measure and test at full speed
        settings.setdict({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 16}, priority="cmdline")
    settings.setdict({
        "ARCHIVE_ROOT": collection.root,
        "ARCHIVE_COLLECTION": collection.name,
        "ARCHIVE_RUN_ID": run_id,
        "FETCH_ALLOW_PRIVATE": allow_private,
        "LOG_LEVEL": LOG_LEVELS[min(verbose, 2)],
        "LOG_INSTALL_ROOT_HANDLER": False,  # main() owns logging
    }, priority="cmdline")
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(collection: Collection, seeds: list[str], *, max_pages: int = 0,
              allow_private: bool = False, overrides: dict[str, str] | None = None,
              verbose: int = 0) -> dict[str, Any]:
    """Crawl `seeds` into `collection` in this process; return the run report."""
    try:
        seeds = [canonicalize(s) for s in seeds]
    except InvalidURL as err:
        raise SettingError("bad seed URL %s" % err) from None
    run_id = str((overrides or {}).get("ARCHIVE_RUN_ID") or new_run_id())
    settings = crawl_settings(collection, run_id, seeds, allow_private=allow_private,
                              overrides=overrides or {}, verbose=verbose)
    try:  # fail before the reactor starts, in one line
        CaptureConfig.from_settings(settings)
        DiscoveryConfig.from_settings(settings)
    except SettingError:
        raise
    process = CrawlerProcess(settings)
    process.crawl(NewsSpider, seeds=seeds, max_pages=max_pages)
    process.start()
    report_path = collection.run_report_path(run_id)
    if not os.path.exists(report_path):
        raise RuntimeError("the crawl ended without a run report (see the log above)")
    with open(report_path, encoding="utf-8") as fh:
        report: dict[str, Any] = json.load(fh)
    return report
