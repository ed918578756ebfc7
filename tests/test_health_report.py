"""`newsarchive report`: per-site health across runs. The flagging rules on run reports and items
written here, then real crawls of the demo site whose business section is relaunched on a template
without byline and dates: the report flags that section and not the others, in text, JSON and the
HTML page as headless Chromium shows it."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from crawler.cli import main
from demosite import DemoSite
from demosite.content import FIRST_PUBLISHED
from pipelines.site_health import COMPLETENESS_DROP, FAILING, SILENT, YIELD_DROP, analyse, section_of
from tests.browser import chromium, keep_screenshot
from tests.conftest import crawl

SITE = "news.example"


def figures(articles: int, pages: int | None = None, missing: dict[str, float] | None = None,
            errors: dict[str, int] | None = None, skipped: dict[str, int] | None = None) -> dict[str, Any]:
    """One site's figures in a run report, in the agreed shape."""
    shares: dict[str, float | None] = {f: 0.0 for f in ("title", "authors", "published", "language")}
    shares.update(missing or {})
    return {"pages": articles + 5 if pages is None else pages, "articles": articles,
            "duplicates": {"url": 0, "exact": 0, "near": 0}, "not_articles": {}, "skipped": skipped or {},
            "errors": errors or {}, "missing": shares if articles else {k: None for k in shares},
            "mean_text_length": 2000.0 if articles else None}


def reports_of(*sites_per_run: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"run": "r%02d" % i, "kind": "crawl", "started": "2026-03-%02dT06:00:00+00:00" % (i + 1),
             "sites": sites} for i, sites in enumerate(sites_per_run)]


def site_flags(reports: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]] | None = None,
               site: str = SITE, section: str | None = None) -> list[Any]:
    unit = next(u for u in analyse(reports, items or {}) if u.site == site and u.section == section)
    return unit.flags


def test_yield_drop_against_the_median_of_previous_runs() -> None:
    dropped = site_flags(reports_of(*({SITE: figures(n)} for n in (10, 12, 11, 10, 2))))
    assert [f.kind for f in dropped] == [YIELD_DROP]
    assert "dropped to 2 in run r04" in dropped[0].message and "median of 10.5 over the 4 runs" in dropped[0].message
    assert site_flags(reports_of(*({SITE: figures(n)} for n in (10, 12, 11, 10, 4)))) == []  # 4 >= 0.3 x 10.5
    assert site_flags(reports_of(*({SITE: figures(n)} for n in (10, 12, 1)))) == []  # 2 runs: too little history
    assert site_flags(reports_of(*({SITE: figures(n)} for n in (2, 2, 2, 0)))) == []  # median 2: too small to judge


def test_completeness_drop_names_the_field_and_the_figures() -> None:
    before = [{SITE: figures(6)}] * 3
    flags = site_flags(reports_of(*before, {SITE: figures(5, missing={"authors": 1.0, "published": 0.8})}))
    assert sorted((f.kind, f.figures["field"]) for f in flags) == [
        (COMPLETENESS_DROP, "authors"), (COMPLETENESS_DROP, "published")]
    authors = next(f for f in flags if f.figures["field"] == "authors")
    assert authors.message == ("authors missing from 5 of 5 articles (100%) in run r03, against 0% of 18 "
                               "articles over the 3 runs before")
    # too few articles now to judge; a rise smaller than 40 points is no template change
    assert site_flags(reports_of(*before, {SITE: figures(2, missing={"authors": 1.0})})) == []
    assert site_flags(reports_of(*([{SITE: figures(10, missing={"authors": 0.1})}] * 3),
                                 {SITE: figures(10, missing={"authors": 0.4})})) == []


def test_silent_after_runs_with_articles() -> None:
    flags = site_flags(reports_of({SITE: figures(5)}, {SITE: figures(6)},
                                  *([{SITE: figures(0, pages=1)}] * 3)))
    assert [f.kind for f in flags] == [SILENT]
    assert flags[0].message == "no article in the last 3 runs (3 pages fetched), after up to 6 a run before"
    assert site_flags(reports_of({SITE: figures(5)}, {SITE: figures(0)}, {SITE: figures(0)})) == []
    assert site_flags(reports_of(*([{SITE: figures(0)}] * 4))) == []  # never had any: nothing went silent


def test_failing_when_errors_dominate_the_last_run() -> None:
    # 10 pages answered (3 of them 5xx, 2 of them 404) and 4 timeouts with no answer
    flags = site_flags(reports_of({SITE: figures(5)}, {SITE: figures(
        1, pages=10, errors={"timeout": 4, "http_5xx": 3}, skipped={"status-429": 1, "status-404": 2})}))
    assert [f.kind for f in flags] == [FAILING]
    assert flags[0].message == ("8 of 14 fetches failed in run r01 (fetch errors, 5xx, 403/429, extraction "
                                "errors)")  # 404s are not failures
    assert site_flags(reports_of({SITE: figures(5, pages=10, skipped={"status-404": 8})})) == []
    assert site_flags(reports_of({SITE: figures(5, pages=10, errors={"http_5xx": 4})})) == []  # 4 of 10


def article(site: str, section: str, n: int, authors: bool = True) -> dict[str, Any]:
    return {"url": "http://%s/%s/story-%d/" % (site, section, n), "title": "Story %d" % n,
            "authors": ["A. Writer"] if authors else [], "published": "2026-03-01T06:00:00+00:00",
            "language": "en"}


def test_a_section_is_flagged_and_not_its_site_nor_the_other_sections() -> None:
    items: dict[str, list[dict[str, Any]]] = {}
    for i in range(4):
        last = i == 3
        items["r%02d" % i] = ([article(SITE, "world", 10 * i + k) for k in range(4)]
                              + [article(SITE, "business", 10 * i + k, authors=not last) for k in range(4)])
    reports = reports_of(*({SITE: figures(8, missing={"authors": 0.5 if i == 3 else 0.0})} for i in range(4)))
    units = {u.name: u for u in analyse(reports, items)}
    assert set(units) == {SITE, SITE + "/world/", SITE + "/business/"}
    assert [(f.kind, f.figures["field"]) for f in units[SITE + "/business/"].flags] == [(COMPLETENESS_DROP, "authors")]
    # the site's 50% jump is the business section's: flagged there, not twice
    assert units[SITE].flags == [] and units[SITE + "/world/"].flags == []
    assert next(iter(analyse(reports, items))).name == SITE + "/business/"  # flagged first


def test_old_reports_without_site_figures_count_from_items() -> None:
    reports = [{k: v for k, v in r.items() if k != "sites"} for r in reports_of(*([{}] * 4))]
    items = {"r%02d" % i: [article(SITE, "news", 10 * i + k, authors=i < 3) for k in range(4)] for i in range(4)}
    unit = next(u for u in analyse(reports, items) if u.section is None)
    assert [p.articles for p in unit.points] == [4, 4, 4, 4] and unit.points[0].pages is None
    assert [f.figures["field"] for f in unit.flags] == ["authors"]


def test_section_of() -> None:
    assert section_of("http://x/business/cocoa/") == "business"
    assert section_of("http://x/cocoa-prices/") is None  # an article at the top
    assert section_of("http://x/2026/03/15/cocoa/") is None  # dates are no section


def write_collection(root: Path, reports: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]]) -> Path:
    path = root / "news"
    for sub in ("archive", "indexes", "items", "runs", "state"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for report in reports:
        (path / "runs" / (report["run"] + ".json")).write_text(json.dumps(report))
        lines = [json.dumps({**item, "run": report["run"]}) for item in items.get(report["run"], [])]
        (path / "items" / (report["run"] + ".jsonl")).write_text("".join(line + "\n" for line in lines))
    return path


def test_command_text_json_and_a_damaged_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = reports_of(*({SITE: figures(n)} for n in (10, 12, 11, 10, 2)))
    path = write_collection(tmp_path, reports, {})
    (path / "runs" / "r99.json").write_text("{not json")
    assert main(["report", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "r99.json: unreadable run report, left out" in err
    assert out.splitlines()[:3] == [
        "site health of news: 5 crawl runs, 1 sites and sections, 1 flagged",
        "FLAGGED news.example",
        "    - articles dropped to 2 in run r04, against a median of 10.5 over the 4 runs before"]
    assert main(["report", str(path), "--json", "--since", "2026-03-03"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["run"] for r in data["runs"]] == ["r02", "r03", "r04"]  # too little history left to flag
    assert data["units"][0]["flagged"] is False and [r["articles"] for r in data["units"][0]["runs"]] == [11, 10, 2]


# -- real crawls of the demo site ---------------------------------------------------------------

def moment(index: int) -> datetime:
    """Just after the demo's `index`-th story (0-based, in publication order) came out."""
    return FIRST_PUBLISHED + timedelta(hours=9 * index + 1)


new_per_run: dict[str, list[int]] = {}  # section slug -> stories new to each run, as the site says


@pytest.fixture(scope="module")
def relaunched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three ordinary runs while the demo publishes (6, then 3 and 3 more stories a section), then a
    fourth one edition later (3 more a section) with the business section relaunched."""
    root = tmp_path_factory.mktemp("health")
    site = DemoSite(published_until=moment(17)).start()
    seen: set[str] = set()
    try:
        for step in (lambda: None, lambda: site.publish_until(moment(26)), lambda: site.publish_until(None),
                     lambda: site.change_template("business", edition=1)):
            step()
            new = [a for a in site.articles() if a.url not in seen]
            seen.update(a.url for a in new)
            for slug in ("business", "science", "world"):
                new_per_run.setdefault(slug, []).append(sum(1 for a in new if a.url.split("/")[3] == slug))
            result = crawl(site.url, root, "demo", "--no-requisites")
            assert result.returncode == 0, result.stderr
    finally:
        site.stop()
    return root / "demo"


def test_the_relaunched_section_is_flagged_and_not_the_others(
        relaunched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(list((relaunched / "runs").glob("*.json"))) == 4
    assert main(["report", str(relaunched)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].endswith("4 crawl runs, 4 sites and sections, 1 flagged"), text
    assert lines[1].startswith("FLAGGED ") and lines[1].endswith("/business/"), text
    assert "authors missing from 3 of 3 articles (100%) in run" in lines[2], text
    assert any("published missing from 3 of 3 articles (100%)" in line for line in lines), text
    assert [line.split()[0] for line in lines if not line.startswith(" ")][1:] == ["FLAGGED", "ok", "ok", "ok"]

    assert main(["report", str(relaunched), "--json"]) == 0
    units = {u["section"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert {name: u["flagged"] for name, u in units.items()} == {
        "business": True, "science": False, "world": False, None: False}
    business = units["business"]
    assert sorted(f["field"] for f in business["flags"]) == ["authors", "published"]
    assert [r["articles"] for r in business["runs"]] == new_per_run["business"]
    assert [r["missing"]["authors"] for r in business["runs"]] == [0.0, 0.0, 0.0, 1.0]
    assert [r["missing"]["published"] for r in units["world"]["runs"]] == [0.0] * 4
    assert [r["articles"] for r in units[None]["runs"]] == [sum(n) for n in zip(*new_per_run.values(), strict=True)]


def test_the_html_report_in_chromium(relaunched: Path, tmp_path: Path) -> None:
    page_path = tmp_path / "health.html"
    assert main(["report", str(relaunched), "--html", str(page_path), "-q"]) == 0
    text = page_path.read_text()
    assert "<script" not in text and "http://" not in text.split("<body", 1)[0]  # nothing to fetch
    shot = tmp_path / "health-report.png"
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_path.as_uri(), wait_until="load")
        units = page.eval_on_selector_all(".unit", "els => els.map(e => [e.dataset.unit, e.className])")
        charts = page.eval_on_selector_all(
            "svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height, "
                   "getComputedStyle(e).visibility, e.querySelectorAll('rect.bar, polyline').length]; })")
        reasons = page.inner_text(".unit.flagged .reasons")
        page.screenshot(path=str(shot), full_page=True)
    assert requests == [page_path.as_uri()]  # one self-contained file
    assert units[0][0].endswith("/business/") and "flagged" in units[0][1]
    assert [u for u in units[1:] if "flagged" in u[1]] == [] and len(units) == 4
    assert len(charts) == 2 * len(units)
    assert all(w > 100 and h > 50 and vis == "visible" and marks > 0 for w, h, vis, marks in charts), charts
    assert "authors missing from 3 of 3 articles (100%)" in reasons
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # a drawn page, not a blank one
    assert any(c[1] == (201, 42, 42) for c in colours or [])  # the flagged card's red border
    keep_screenshot_as(shot, "health-report")


def keep_screenshot_as(path: Path, name: str) -> None:
    from tests.browser import Rendering
    keep_screenshot(Rendering(name, path, {}, 0.0), name)
