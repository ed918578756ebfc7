"""Run the news spider in this process over a collection and return its run report."""
from __future__ import annotations

import ipaddress
import logging
import signal
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from archive.collection import Collection, new_run_id
from archive.exceptions import ArchiveError
from archive.writes import as_write_failure
from crawler.crawl_config import check_settings, project_settings
from crawler.logs import tag_run
from crawler.options import checked_seed
from crawler.run_extension import CrawlRun
from crawler.setting_types import SettingError
from crawler.spiders.news import NewsSpider
from pipelines.canonical import InvalidURL, host_of

logger = logging.getLogger(__name__)

LOG_LEVELS = ("WARNING", "INFO", "DEBUG")
# the default USER_AGENT (crawler/settings.py) says to replace it: the sites a crawl visits see it
PLACEHOLDER_AGENT_MARK = "set USER_AGENT to your contact"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def crawl_settings(
    collection: Collection, run_id: str, seeds: list[str], *, allow_private: bool,
    overrides: Mapping[str, Any], verbose: int,
) -> Settings:
    """The settings of a crawl into `collection` (which need not exist yet); `overrides` win.

    SettingError if a dict setting's value is not JSON; check_settings() checks the rest."""
    made: dict[str, Any] = {}
    if all(is_loopback_host(host_of(s)) for s in seeds):
        # a local server needs no politeness: measure and test at full speed
        made.update(AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY=0, CONCURRENT_REQUESTS_PER_DOMAIN=16)
    made.update({
        "ARCHIVE_ROOT": collection.root,
        "ARCHIVE_COLLECTION": collection.name,
        "ARCHIVE_RUN_ID": run_id,
        "FETCH_ALLOW_PRIVATE": allow_private,
        "FETCH_PRIVATE_HINT": "pass --allow-private",  # a refused address names the option to give
        "LOG_LEVEL": LOG_LEVELS[min(verbose, 2)],
        "LOG_INSTALL_ROOT_HANDLER": False,  # main() owns logging
    })
    if verbose < 2:  # the progress shows the figures; Scrapy's line a minute is debugging
        made["LOGSTATS_INTERVAL"] = 0
    made.update(overrides)
    return project_settings(made)


def placeholder_agent(settings: Settings, seeds: list[str]) -> bool:
    """True when the crawl would show sites other than this machine the placeholder USER_AGENT."""
    agent = settings.get("USER_AGENT") or ""
    if PLACEHOLDER_AGENT_MARK not in agent:
        return False
    return not all(is_loopback_host(host_of(s)) for s in seeds)


def warn_placeholder_agent(settings: Settings, seeds: list[str]) -> None:
    if placeholder_agent(settings, seeds):
        logger.warning("the crawl identifies itself with the placeholder USER_AGENT %r: set yours, with a way "
                       "to reach you (-s USER_AGENT=\"mybot/1.0 (+https://example.com/bot; me@example.com)\")",
                       settings.get("USER_AGENT"), extra={"event": "placeholder_user_agent"})


def checked_seeds(seeds: list[str]) -> list[str]:
    """The seeds in canonical form, or SettingError naming the first bad one."""
    try:
        return [checked_seed(s) for s in seeds]
    except InvalidURL as err:
        raise SettingError("bad seed URL %s" % err) from None


def root_cause(error: BaseException) -> BaseException:
    """The first ArchiveError or OSError behind `error`: Scrapy's clean-up after a component that
    failed to start ("Engine slot not assigned") would otherwise hide it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (ArchiveError, OSError)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return error


def log_run_end(report: Mapping[str, Any]) -> None:
    logger.info("run %s ended (%s): %d responses, %d articles in %.1f s", report.get("run"),
                report.get("outcome"), report.get("responses", 0), report.get("articles", 0),
                report.get("duration_s", 0.0), extra={"event": "run_end", "outcome": report.get("outcome")})
    for site, figures in sorted((report.get("sites") or {}).items()):
        if only_errors(figures):
            logger.warning("%s answered nothing but errors in this run: %s", site, ", ".join(
                "%s %d" % kv for kv in sorted(figures["errors"].items())),
                extra={"event": "site_only_errors", "site": site})


def only_errors(figures: Mapping[str, Any]) -> bool:
    """A site of the run report's `sites` from which nothing but errors came."""
    errors = sum((figures.get("errors") or {}).values())
    others = (figures.get("articles") or 0) + sum((figures.get("duplicates") or {}).values()) \
        + sum((figures.get("not_articles") or {}).values()) + sum((figures.get("skipped") or {}).values())
    return bool(errors > 0 and others == 0)


class RunUnfinished(Exception):
    """The crawl stopped before its run could end: Ctrl-C or SIGTERM came again while it closed."""

    def __init__(self, run_id: str, seeds: list[str]) -> None:
        super().__init__("crawl run %s stopped before it could end" % run_id)
        self.run_id = run_id
        self.seeds = seeds


def run_crawl(collection: Collection, seeds: list[str], *, max_pages: int = 0,
              allow_private: bool = False, overrides: Mapping[str, Any] | None = None,
              verbose: int = 0) -> dict[str, Any]:
    """Crawl `seeds` into `collection` in this process; return the run report.

    Seeds and settings are checked before the reactor starts: SettingError names what is wrong."""
    seeds = checked_seeds(seeds)
    run_id = str((overrides or {}).get("ARCHIVE_RUN_ID") or new_run_id())
    settings = crawl_settings(collection, run_id, seeds, allow_private=allow_private,
                              overrides=overrides or {}, verbose=verbose)
    check_settings(settings)
    tag_run(run_id)
    warn_placeholder_agent(settings, seeds)
    logger.info("run %s: crawling %d seed(s) into collection %s: %s", run_id, len(seeds), collection.name,
                " ".join(seeds), extra={"event": "run_start", "collection": collection.name, "seeds": len(seeds)})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    failed: list[BaseException] = []

    def keep(failure: Failure) -> None:
        failed.append(failure.value or RuntimeError(failure.getErrorMessage()))

    process.crawl(crawler, seeds=seeds, max_pages=max_pages).addErrback(keep)
    process.start()
    if failed:  # the run could not begin (the lock, repairing what an earlier run left)
        cause = root_cause(failed[0])
        if isinstance(cause, ArchiveError):
            raise cause
        write_failure = as_write_failure(cause, collection.path)
        if write_failure is not None:
            raise write_failure from cause
    try:
        run = crawler.get_extension(CrawlRun)
    except RuntimeError:  # it never got as far as its extensions
        run = None
    if run is not None and run.report is not None:
        log_run_end(run.report)
        return dict(run.report, report_error=str(run.report_error) if run.report_error else None)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:  # Scrapy's answer to a second signal
        raise RunUnfinished(run_id, seeds)
    if failed:
        raise RuntimeError("the crawl could not start: %s" % (str(failed[0]) or type(failed[0]).__name__))
    raise RuntimeError("the crawl ended without a run report")
