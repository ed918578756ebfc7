"""Per-site health across runs: each site (and each section of a site) against its own history.

Input is plain data: the run reports (`runs/<run-id>.json`, with their per-site figures) and the
items each run wrote. A *unit* is a site, or a section of a site: the first path segment of its
article URLs (`/business/…`), analysed apart when the site has two or more sections with enough
articles, because a template change usually hits one part of a site (one CMS section, one
desk) and is diluted below notice in the site's totals. A flag is given at the finest level
that shows it: a section's flag replaces the same kind of flag on its site.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipelines.merge import site_of

FIELDS = ("title", "authors", "published", "language")
YIELD_DROP, COMPLETENESS_DROP, SILENT, FAILING = "yield_drop", "completeness_drop", "silent", "failing"
# HTTP answers that mean the site is failing or refusing us, not "this page is gone" (404, 410)
FAILING_STATUSES = ("status-403", "status-429")
# error kinds of pages that did answer (a 5xx, a failed extraction): the others (DNS, timeout,
# refused...) had no response, so they come on top of the pages when counting attempts
ANSWERED_ERRORS = ("http_5xx", "extract")


@dataclass(frozen=True)
class Thresholds:
    """When a change is sharp enough to flag; the defaults, in words, are in `describe()`."""

    min_history: int = 3  # previous runs a yield drop is measured against
    window: int = 10  # at most this many previous runs make the history
    yield_fraction: float = 0.3  # articles now below this share of the median before
    min_median: float = 3.0  # a median below this is too small to judge a drop
    min_articles: int = 3  # articles now, and before, to judge completeness
    completeness_jump: float = 0.4  # share missing now minus share missing before
    silent_runs: int = 3  # runs in a row with no article, after having some
    min_failures: int = 3  # failed pages in the last run to call a site failing
    failing_share: float = 0.5  # failures against pages fetched
    min_section_articles: int = 5  # a section's articles over the runs to analyse it apart

    def describe(self) -> str:
        return ("yield drop: articles < %d%% of the median of the %d..%d previous runs (median >= %g); "
                "completeness drop: share missing up by >= %d points (>= %d articles now and before); "
                "silent: no article in the last %d runs after some; failing: >= %d failures and >= %d%% "
                "of the fetches in the last run" % (
                    self.yield_fraction * 100, self.min_history, self.window, self.min_median,
                    self.completeness_jump * 100, self.min_articles, self.silent_runs, self.min_failures,
                    self.failing_share * 100))


@dataclass
class Point:
    """One unit in one run. `pages` and `failures` are known for sites (from the run report)."""

    run: str
    started: str
    articles: int = 0
    missing: dict[str, int] = field(default_factory=dict)  # field -> articles missing it
    pages: int | None = None
    failures: int | None = None
    attempts: int | None = None  # pages, and fetches that got no answer

    def share(self, name: str) -> float | None:
        return self.missing.get(name, 0) / self.articles if self.articles else None

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run, "started": self.started, "articles": self.articles, "pages": self.pages,
                "failures": self.failures, "attempts": self.attempts, "missing": {f: self.share(f) for f in FIELDS}}


@dataclass(frozen=True)
class Flag:
    kind: str
    message: str
    figures: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, **self.figures}


@dataclass
class Unit:
    """A site (section None) or one section of it, with its runs oldest first and its flags."""

    site: str
    section: str | None
    points: list[Point]
    flags: list[Flag] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.site + ("/%s/" % self.section if self.section else "")

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "section": self.section, "name": self.name, "flagged": bool(self.flags),
                "flags": [f.to_dict() for f in self.flags], "runs": [p.to_dict() for p in self.points]}


def section_of(url: str) -> str | None:
    """The first path segment of an article URL below it (`/business/x/` -> business); None for an
    article at the top, or under a date (`/2026/03/x`), which is no section."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) < 2 or parts[0].isdigit():
        return None
    return parts[0].lower()


def _missing(item: Mapping[str, Any]) -> list[str]:
    return [name for name in FIELDS if not item.get(name)]


def _site_point(run: str, started: str, figures: Mapping[str, Any]) -> Point:
    """A site's point from the run report's figures (shares back to counts: articles x share)."""
    articles = int(figures.get("articles") or 0)
    shares = figures.get("missing") or {}
    missing = {f: round(float(shares.get(f) or 0) * articles) for f in FIELDS}
    skipped, errors = figures.get("skipped") or {}, figures.get("errors") or {}
    failures = sum(int(n) for n in errors.values()) + sum(
        int(n) for reason, n in skipped.items() if reason.startswith("status-5") or reason in FAILING_STATUSES)
    pages = int(figures.get("pages") or 0)
    unanswered = sum(int(n) for kind, n in errors.items() if kind not in ANSWERED_ERRORS)
    return Point(run, started, articles, missing, pages, failures, pages + unanswered)


def build_units(reports: Sequence[Mapping[str, Any]], items: Mapping[str, Iterable[Mapping[str, Any]]],
                thresholds: Thresholds = Thresholds()) -> list[Unit]:
    """Every site's and section's points over `reports` (oldest first). A site takes part in a run
    when the report's "sites" names it or the run wrote an item of it; a report without "sites"
    (older runs) counts from its items alone. Sections are points of the runs their site took part in."""
    sites: dict[str, dict[str, Point]] = {}
    sections: dict[tuple[str, str], dict[str, Point]] = {}
    order = [str(r["run"]) for r in reports]
    for report in reports:
        run, started = str(report["run"]), str(report.get("started") or "")
        reported = report.get("sites") or {}
        for site, figures in reported.items():
            sites.setdefault(site, {})[run] = _site_point(run, started, figures)
        for item in items.get(run, ()):
            url = str(item.get("url") or "")
            site, section = site_of(url), section_of(url)
            if site not in reported:  # no figures in the report: count the items
                point = sites.setdefault(site, {}).setdefault(run, Point(run, started))
                point.articles += 1
                for name in _missing(item):
                    point.missing[name] = point.missing.get(name, 0) + 1
            if section is not None:
                spoint = sections.setdefault((site, section), {}).setdefault(run, Point(run, started))
                spoint.articles += 1
                for name in _missing(item):
                    spoint.missing[name] = spoint.missing.get(name, 0) + 1
    units = []
    for site in sorted(sites):
        runs = [r for r in order if r in sites[site]]
        units.append(Unit(site, None, [sites[site][r] for r in runs]))
        when = {r: sites[site][r].started for r in runs}
        kept = sorted(s for (host, s), points in sections.items()
                      if host == site and sum(p.articles for p in points.values()) >= thresholds.min_section_articles)
        if len(kept) < 2:  # one section is the site itself
            continue
        for section in kept:
            points = sections[(site, section)]
            units.append(Unit(site, section, [points.get(r) or Point(r, when[r]) for r in runs]))
    return units


def _before(runs: int) -> str:
    return "the run before" if runs == 1 else "the %d runs before" % runs


def _pct(share: float) -> str:
    return "%d%%" % round(share * 100)


def yield_flag(points: Sequence[Point], t: Thresholds) -> Flag | None:
    now, before = points[-1], points[:-1][-t.window:]
    if len(before) < t.min_history:
        return None
    median = statistics.median(p.articles for p in before)
    if median < t.min_median or now.articles >= t.yield_fraction * median:
        return None
    return Flag(YIELD_DROP, "articles dropped to %d in run %s, against a median of %g over %s"
                % (now.articles, now.run, median, _before(len(before))),
                {"articles": now.articles, "median": median, "history": len(before)})


def completeness_flags(points: Sequence[Point], t: Thresholds) -> list[Flag]:
    now, before = points[-1], [p for p in points[:-1][-t.window:] if p.articles]
    base_articles = sum(p.articles for p in before)
    if now.articles < t.min_articles or base_articles < t.min_articles:
        return []
    flags = []
    for name in FIELDS:
        share = now.missing.get(name, 0) / now.articles
        base = sum(p.missing.get(name, 0) for p in before) / base_articles
        if share - base >= t.completeness_jump:
            flags.append(Flag(COMPLETENESS_DROP, "%s missing from %d of %d articles (%s) in run %s, against %s of "
                              "%d articles over %s" % (
                                  name, now.missing.get(name, 0), now.articles, _pct(share), now.run, _pct(base),
                                  base_articles, _before(len(before))),
                              {"field": name, "share": share, "baseline": base, "articles": now.articles,
                               "baseline_articles": base_articles}))
    return flags


def silent_flag(points: Sequence[Point], t: Thresholds) -> Flag | None:
    last, earlier = points[-t.silent_runs:], points[:-t.silent_runs]
    if len(last) < t.silent_runs or any(p.articles for p in last) or not any(p.articles for p in earlier):
        return None
    had = max(p.articles for p in earlier)
    pages = [p.pages for p in last]
    fetched = "" if None in pages else " (%d pages fetched)" % sum(p for p in pages if p is not None)
    return Flag(SILENT, "no article in the last %d runs%s, after up to %d a run before"
                % (len(last), fetched, had), {"runs": len(last), "before_max": had})


def failing_flag(points: Sequence[Point], t: Thresholds) -> Flag | None:
    now = points[-1]
    if now.attempts is None or now.failures is None or now.failures < t.min_failures:
        return None
    if now.failures < t.failing_share * now.attempts:
        return None
    return Flag(FAILING, "%d of %d fetches failed in run %s (fetch errors, 5xx, 403/429, extraction errors)"
                % (now.failures, now.attempts, now.run), {"failures": now.failures, "attempts": now.attempts})


def judge(unit: Unit, t: Thresholds) -> list[Flag]:
    """The flags of one unit; empty for a unit that never took part in a run."""
    if not unit.points:
        return []
    flags: list[Flag] = []
    silent = silent_flag(unit.points, t)
    if silent is not None:
        flags.append(silent)
    else:
        drop = yield_flag(unit.points, t)
        flags += [drop] if drop else []
        flags += completeness_flags(unit.points, t)
    if unit.section is None:
        failing = failing_flag(unit.points, t)
        flags += [failing] if failing else []
    return flags


def analyse(reports: Sequence[Mapping[str, Any]], items: Mapping[str, Iterable[Mapping[str, Any]]],
            thresholds: Thresholds = Thresholds()) -> list[Unit]:
    """Every unit with its flags, flagged units first; a section's flag of a kind replaces its site's."""
    units = build_units(reports, items, thresholds)
    for unit in units:
        unit.flags = judge(unit, thresholds)
    section_kinds: dict[str, set[str]] = {}
    for unit in units:
        if unit.section is not None:
            section_kinds.setdefault(unit.site, set()).update(f.kind for f in unit.flags)
    for unit in units:
        if unit.section is None and unit.site in section_kinds:
            unit.flags = [f for f in unit.flags if f.kind not in section_kinds[unit.site]]
    return sorted(units, key=lambda u: (not u.flags, u.site, u.section or ""))
