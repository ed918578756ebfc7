"""Per-site figures of one run (the run report's `sites`) and, for a run that wrote nothing, why.

Plain counting over three sources, so a crawl and the replay of it agree where they can:
- the run's items file: articles, the share of them missing title / authors / published /
  language, mean text length;
- the outcomes the Decider recorded in the store: duplicates, not-articles, skips, extraction errors;
- a crawl's fetch counters per site (`sites/<site>/...` stats, crawler/site_stats.py): pages by
  status, fetch errors by kind, requests never sent (robots.txt, known articles). A replay has
  none: its pages are the responses it judged (a WARC does not say which were requisites).
And the summary's table of them (`site_table`).
"""
from __future__ import annotations

import json
import logging
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.merge import site_of
from pipelines.values import OutcomeKind

logger = logging.getLogger(__name__)

MISSING_FIELDS = ("title", "authors", "published", "language")
DUPLICATE_KINDS = ("url", "exact", "near")
STATS_PREFIX = "sites/"  # sites/<site>/pages, sites/<site>/status/<code>, .../error/<kind>, .../skipped/<reason>
HTTP_5XX = "http_5xx"
EXTRACT_ERROR = "extract"


@dataclass
class SiteTally:
    """What one site gave in one run."""

    pages: int = 0
    articles: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    not_articles: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    text_length: int = 0

    def to_dict(self) -> dict[str, Any]:
        articles = self.articles
        return {
            "pages": self.pages,
            "articles": articles,
            "duplicates": {kind: self.duplicates.get(kind, 0) for kind in DUPLICATE_KINDS},
            "not_articles": dict(sorted(self.not_articles.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "errors": dict(sorted(self.errors.items())),
            "missing": {name: round(self.missing[name] / articles, 4) if articles else None
                        for name in MISSING_FIELDS},
            "mean_text_length": round(self.text_length / articles, 1) if articles else None,
        }


def is_missing(value: object) -> bool:
    """An item field with nothing in it: None, blank text, or a list of blanks."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not any(isinstance(v, str) and v.strip() for v in value)
    return False


class SiteFigures:
    """Counts per site; feed it items, outcomes and counters, then `to_dict()`."""

    def __init__(self, pages_from_outcomes: bool = False) -> None:
        # a replay has no fetch counters: each response it judged is a page
        self.pages_from_outcomes = pages_from_outcomes
        self.sites: dict[str, SiteTally] = {}

    def tally(self, site: str) -> SiteTally:
        found = self.sites.get(site)
        if found is None:
            found = self.sites[site] = SiteTally()
        return found

    def add_item(self, item: Mapping[str, Any]) -> None:
        tally = self.tally(site_of(str(item.get("url") or "")))
        tally.articles += 1
        for name in MISSING_FIELDS:
            if is_missing(item.get(name)):
                tally.missing[name] += 1
        text = item.get("text")
        tally.text_length += len(text) if isinstance(text, str) else 0

    def add_outcome(self, url: str, kind: str, detail: str | None) -> None:
        tally = self.tally(site_of(url))
        detail = detail or ""
        if self.pages_from_outcomes:
            tally.pages += 1
        if kind == OutcomeKind.DUPLICATE:
            tally.duplicates[detail] += 1
        elif kind == OutcomeKind.NOT_ARTICLE:
            tally.not_articles[detail] += 1
        elif kind == OutcomeKind.ERROR:
            tally.errors[EXTRACT_ERROR] += 1
        elif kind == OutcomeKind.SKIPPED:
            self._add_skip(tally, detail)

    def _add_skip(self, tally: SiteTally, detail: str) -> None:
        status = detail.removeprefix("status-")
        if status != detail and status.isdigit():
            if not self.pages_from_outcomes:
                return  # a crawl's fetch counters saw every response by status already
            if int(status) >= 500:
                tally.errors[HTTP_5XX] += 1
                return
        tally.skipped[detail] += 1

    def add_counters(self, stats: Mapping[str, Any]) -> None:
        """The `sites/<site>/...` counters of a crawl (crawler/site_stats.py)."""
        for key, value in stats.items():
            if not key.startswith(STATS_PREFIX):
                continue
            site, _, what = key[len(STATS_PREFIX):].partition("/")
            group, _, name = what.partition("/")
            count = int(value)
            tally = self.tally(site)
            if group == "pages":
                tally.pages += count
            elif group == "status" and name.isdigit():
                if name == "304":  # fetched, and unchanged since the last capture
                    tally.skipped["not_modified"] += count
                elif int(name) >= 500:
                    tally.errors[HTTP_5XX] += count
                elif int(name) >= 400:
                    tally.skipped["status-" + name] += count
            elif group == "error" and name:
                tally.errors[name] += count
            elif group == "skipped" and name:
                tally.skipped[name] += count

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {site: self.sites[site].to_dict() for site in sorted(self.sites)}


MAX_ITEM_LINE = 64 * 1024 * 1024  # a longer "line" is no item (a torn or foreign file): read past


def read_items(path: str) -> Iterator[dict[str, Any]]:
    """The items of a JSON-lines file, one at a time; a line that is not an object is named and
    skipped. Only a regular file is read, to the size it had when opened: an items path that is a
    device (a symlink to /dev/full or /dev/zero) would otherwise be read without end."""
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            logger.warning("%s is not a regular file: left out of the per-site figures", path)
            return
        left = info.st_size
        number = 0
        while left > 0:
            raw = stream.readline(min(left, MAX_ITEM_LINE + 1))
            if not raw:
                break
            left -= len(raw)
            number += 1
            if len(raw) > MAX_ITEM_LINE and not raw.endswith(b"\n"):
                while left > 0 and raw and not raw.endswith(b"\n"):  # the rest of the overlong line
                    raw = stream.readline(min(left, MAX_ITEM_LINE))
                    left -= len(raw)
                logger.warning("%s line %d: longer than %d bytes: left out of the per-site figures",
                               path, number, MAX_ITEM_LINE)
                continue
            item = _item_of(raw, path, number)
            if item is not None:
                yield item


def _item_of(raw: bytes, path: str, number: int) -> dict[str, Any] | None:
    if not raw.strip():
        return None
    try:
        item = json.loads(raw)
    except ValueError as err:  # UnicodeDecodeError too
        logger.warning("%s line %d: not JSON (%s): left out of the per-site figures", path, number, err)
        return None
    if isinstance(item, dict):
        return item
    logger.warning("%s line %d: not a JSON object: left out of the per-site figures", path, number)
    return None


def site_figures(items: Iterable[Mapping[str, Any]], outcomes: Iterable[tuple[str, str, str | None]],
                 stats: Mapping[str, Any], pages_from_outcomes: bool = False) -> dict[str, dict[str, Any]]:
    """report["sites"]: {site: figures}, from the run's items, its outcomes (url, kind, detail)
    and its `sites/...` counters."""
    figures = SiteFigures(pages_from_outcomes)
    for item in items:
        figures.add_item(item)
    for url, kind, detail in outcomes:
        figures.add_outcome(url, kind, detail)
    figures.add_counters(stats)
    return figures.to_dict()


def _total(stats: Mapping[str, Any], *names: str, prefix: str = "") -> int:
    total = sum(int(stats.get(name, 0) or 0) for name in names)
    if prefix:
        total += sum(int(v or 0) for k, v in stats.items() if k.startswith(prefix))
    return total


# (what it counts, how the summary says it) in the order a tie is named
_REASONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("discovery/too_old",), "", "%d feed or sitemap entries older than --since"),
    (("discovery/known_article", "resume/known_article", "discovery/redirect_known_article"), "",
     "%d links to articles the collection already holds"),
    (("discovery/not_modified",), "", "%d feeds or listings not modified since the last run"),
    (("robotstxt/forbidden",), "", "%d requests forbidden by robots.txt"),
    (("fetch/errors",), "", "%d fetch errors"),
    ((), "dedupe/", "%d duplicates of articles already archived"),
    (("extract/not_article",), "", "%d pages not articles"),
    ((), "extract/skipped/", "%d pages skipped (error status, not HTML)"),
    (("extract/error",), "", "%d extraction errors"),
)


def nothing_because(stats: Mapping[str, Any]) -> str | None:
    """Why a run wrote no article, from its counters (largest first); None when it wrote some."""
    if _total(stats, "items/written"):
        return None
    found = []
    for names, prefix, text in _REASONS:
        count = _total(stats, *names, prefix=prefix)
        if count:
            found.append((count, text % count))
    unreadable = _total(stats, "robotstxt/server_error")
    if unreadable:
        found.append((unreadable, "%d site(s) whose robots.txt could not be read (all forbidden)" % unreadable))
    if not found:
        fetched = _total(stats, "downloader/response_count")
        return "nothing was fetched" if not fetched else "no page to extract was found"
    found.sort(key=lambda pair: -pair[0])  # stable: ties keep the order above
    return "; ".join(text for _, text in found)


# -- the summary's table -------------------------------------------------------------------
SITE_LINES = 20  # sites in the printed table; the run report has them all
SITE_ROW = "%-*s %6s %8s %6s %8s %7s %6s %8s %9s %7s %7s %9s"
MISSING_HEADS = ("no-title", "no-author", "no-date", "no-lang")


def site_table(sites: Mapping[str, Mapping[str, Any]], limit: int | None = None) -> list[str]:
    """The per-site table: one line a site, most pages first; what went wrong named after it."""
    if not sites:
        return []
    limit = SITE_LINES if limit is None else limit
    order = sorted(sites, key=lambda site: (-sites[site].get("pages", 0), -sites[site].get("articles", 0), site))
    width = max(4, min(36, max(len(site) for site in order[:limit])))
    lines = ["  per site", "    " + SITE_ROW % (width, "site", "pages", "articles", "dupes", "not-art", "skipped",
                                               "errors", *MISSING_HEADS, "text len")]
    for site in order[:limit]:
        figures = sites[site]
        missing = figures.get("missing") or {}
        shares = ["-" if missing.get(name) is None else "%d%%" % round(100 * missing[name]) for name in MISSING_FIELDS]
        skipped, errors = figures.get("skipped") or {}, figures.get("errors") or {}
        mean = figures.get("mean_text_length")
        notes = "; ".join(part for part in (_nonzero(errors), _nonzero(skipped)) if part)
        lines.append("    " + SITE_ROW % (
            width, site, figures.get("pages", 0), figures.get("articles", 0),
            sum((figures.get("duplicates") or {}).values()), sum((figures.get("not_articles") or {}).values()),
            sum(skipped.values()), sum(errors.values()), *shares, "-" if mean is None else "%d" % mean)
                     + ("  (%s)" % notes if notes else ""))
    if len(order) > limit:
        lines.append("    and %d more (all in the run report's \"sites\")" % (len(order) - limit))
    return lines


def _nonzero(counts: Mapping[str, int]) -> str:
    return ", ".join("%s: %d" % kv for kv in sorted(counts.items()) if kv[1])
