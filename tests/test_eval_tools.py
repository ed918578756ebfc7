"""The measuring tools behind `make eval`: who counts as a person, the miss classes, the person-named figure."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import eval_data  # noqa: E402
from eval_data import Page  # noqa: E402
from eval_misses import (  # noqa: E402
    classify_author,
    classify_body,
    classify_charset,
    classify_date,
    classify_title,
    count_misses,
    title_flags,
)
from eval_people import is_person, person_authors, site_tokens  # noqa: E402
from eval_report import score_set  # noqa: E402

pytestmark = pytest.mark.skipif(not eval_data.TOOL.exists(), reason=f"the scorer {eval_data.TOOL} is not here")

SITE_HEAD = '<meta property="og:site_name" content="Daily Planet">'
ARTICLE = ("The city council voted on Tuesday to close the old bridge for repairs that will last a year. "
           "Engineers found cracks in two of the supporting pillars during an inspection in the spring. "
           "Drivers will have to use the ring road, which adds about ten minutes to most trips downtown.")


def make_page(tmp_path: Path, pid: str, gt: dict, body_html: str = "", head: str = SITE_HEAD) -> Page:
    path = tmp_path / f"{pid}.html"
    path.write_text(f"<html><head>{head}</head><body>{body_html}</body></html>", encoding="utf-8")
    return Page(pid, {"id": pid, "url": "https://www.dailyplanet.example/news/a-1", **gt}, path)


def test_person_rule_keeps_people_and_drops_site_agency_desk_and_codes() -> None:
    site = site_tokens(SITE_HEAD, "https://www.dailyplanet.example/news/a-1")
    people = ["Viktor Hedlund", "viktor hedlund", "Dr. Max Kolter", "JÖRG ZSCHOCHE", "배윤경"]
    not_people = ["Daily Planet", "The Daily Planet", "dailyplanet.example", "Redaktion Daily Planet",
                  "Daily Planet et AFP", "dpa", "The Associated Press", "Anadolu Ajansı", "MND Staff",
                  "Gear Team", "kesm", "dailyplanet/hosb", "Habertürk", "ndr.de"]
    assert [n for n in people if not is_person(n, site)] == []
    assert [n for n in not_people if is_person(n, site)] == []


def test_person_authors_reads_the_site_name_from_the_page(tmp_path: Path) -> None:
    page = make_page(tmp_path, "p", {"authors": ["Lois Lane", "Daily Planet", "Reuters"]})
    assert person_authors(page.gt, page.html) == ["Lois Lane"]
    # the host alone names the site ("dailyplanet")
    bare = make_page(tmp_path, "q", {"authors": ["Daily Planet"]}, head="")
    assert person_authors(bare.gt, bare.html) == []
    # with neither, a two-word publisher reads as a person (the documented limit)
    elsewhere = make_page(tmp_path, "r", {"authors": ["Daily Planet"], "url": "https://news.example/a"}, head="")
    assert person_authors(elsewhere.gt, elsewhere.html) == ["Daily Planet"]


def test_person_named_figure_leaves_out_publisher_only_pages(tmp_path: Path) -> None:
    pages = [
        make_page(tmp_path, "a", {"articleBody": ARTICLE, "authors": ["Lois Lane"]}),
        make_page(tmp_path, "b", {"articleBody": ARTICLE, "authors": ["Daily Planet"]}),
        make_page(tmp_path, "c", {"articleBody": ARTICLE, "authors": ["Reuters", "Clark Kent"]}),
    ]
    preds = {"a": {"text": ARTICLE, "author": "Lois Lane"},
             "b": {"text": ARTICLE, "author": None},
             "c": {"text": ARTICLE, "author": "Clark Kent"}}
    m = score_set(pages, preds)
    assert m["author_norm"] == pytest.approx(1 / 3)
    assert (m["author_persons"], m["author_persons_n"]) == (pytest.approx(1 / 2), 2)
    assert m["f1"] == 1.0


def author_class(tmp_path: Path, gt_authors: list[str], predicted: str | None, body_html: str = "") -> str | None:
    page = make_page(tmp_path, "x", {"authors": gt_authors}, body_html)
    return classify_author(page, {"author": predicted})


def test_author_miss_classes(tmp_path: Path) -> None:
    listed = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
              '{"@type": ["Person", "Organization"], "name": "Lois Lane"}}</script>')
    assert author_class(tmp_path, ["Lois Lane"], None, listed) == "list-type Person dropped"
    assert author_class(tmp_path, ["Lois Lane"], "Lois Lane, Professor at Metropolis University") == \
        "affiliation tail"
    assert author_class(tmp_path, ["Lois Lane"], "Lois Lane; Perry White",
                        "<p>By Lois Lane</p><p>Editor: Perry White</p>") == "editor credit"
    assert author_class(tmp_path, ["Lois Lane"], "Lois Lane; Perry White",
                        "<p>By Lois Lane</p><a>Perry White</a><button>Folgen</button>") == "follow widget"
    assert author_class(tmp_path, ["Lois Lane"], "Lois Lane; Planet D") == "account name"
    assert author_class(tmp_path, ["Lois Lane"], "Daily Planet", "<p>Von Lois Lane</p>") == \
        "publisher-only metadata, byline visible"
    assert author_class(tmp_path, ["Lois Lane"], None) == "person not in page text"
    assert author_class(tmp_path, ["Daily Planet"], None) == "publisher-only ground truth"
    assert author_class(tmp_path, ["Reuters", "Lois Lane"], "Lois Lane") == \
        "agency/publisher beside persons in ground truth"
    assert author_class(tmp_path, ["Lois Lane"], "Lois Lane") is None


def body_class(tmp_path: Path, predicted: str, html: str = "") -> str | None:
    return classify_body(make_page(tmp_path, "x", {"articleBody": ARTICLE}, html), {"text": predicted})


def test_body_miss_classes(tmp_path: Path) -> None:
    sentences = ARTICLE.split(". ")
    in_json = f'<div id="app"></div><script>window.__DATA__ = {json.dumps({"body": ARTICLE})}</script>'
    assert body_class(tmp_path, "", in_json) == "missing: body only in JSON"
    assert body_class(tmp_path, "", f"<p>{ARTICLE}</p>") == "missing"
    assert body_class(tmp_path, sentences[0], f"<p>{ARTICLE}</p>") == "low recall (split containers?)"
    related = "Read also: the mayor opens a new park by the river and promises more trees for every district next"
    assert body_class(tmp_path, ARTICLE + "\n" + related) == "low precision: related/read-also"
    caption = "Photo: the old bridge seen from the river bank on a grey morning in March this year by our staff"
    assert body_class(tmp_path, ARTICLE + "\n" + caption) == "low precision: captions/credits"
    live = '<script type="application/ld+json">{"@type": "LiveBlogPosting"}</script>'
    assert body_class(tmp_path, sentences[0], live) == "live blog"
    assert body_class(tmp_path, ARTICLE) is None


def test_title_miss_classes_and_flags(tmp_path: Path) -> None:
    head = SITE_HEAD + ('<meta property="og:title" content="Bridge closes for a year">'
                        '<script type="application/ld+json">{"headline": "Old bridge closes for a year of repairs"}'
                        '</script>')
    page = make_page(tmp_path, "t", {"headline": "Old bridge closes for a year of repairs"},
                     "<h1>Old bridge closes for a year of repairs</h1>", head=head)
    assert classify_title(page, {"title": "Old bridge closes for a year of repairs | Daily Planet"}) == \
        "site suffix left"
    assert classify_title(page, {"title": "Daily Planet - Old bridge closes for a year of repairs"}) == \
        "site suffix left"
    assert classify_title(page, {"title": "Old bridge closes for"}) == "cut short"
    assert classify_title(page, {"title": "Traffic: Old bridge closes for a year of repairs"}) == \
        "kicker or section left before it"
    assert classify_title(page, {"title": "Old bridge closes"}) == "cut short"
    suffixed = make_page(tmp_path, "u", {"headline": "Old bridge closes - Local news"}, head=head)
    assert classify_title(suffixed, {"title": "Old bridge closes"}) == "ground truth keeps a suffix"
    assert classify_title(page, {"title": "Bridge closes for a year"}) == "og:title vs headline choice"
    assert classify_title(page, {"title": "Old bridge closes for a year of repairs"}) is None
    assert title_flags(page, {"title": "Old bridge closes for a year of repairs | Daily Planet"}) == \
        ["flag: site name left"]
    assert title_flags(page, {"title": "Old bridge closes for a year…"}) == ["flag: cut short vs <h1> or headline"]
    assert title_flags(page, {"title": "Old bridge closes for a year of repairs"}) == []


def test_charset_and_date_classes(tmp_path: Path) -> None:
    assert classify_charset({"text": "Der BÃ¼rgermeister sagte â€žnein"}) == "mojibake"
    assert classify_charset({"text": "Ärger in São Paulo, Åland und Ça va"}) is None
    assert classify_charset({"title": "Caf\ufffd"}) == "replacement characters"
    html = '<meta property="article:modified_time" content="2024-05-09T10:00:00Z">'
    page = make_page(tmp_path, "d", {"datePublished": "2024-05-07"}, html)
    assert classify_date(page, {"date": "2024-05-07T23:00:00"}) is None
    assert classify_date(page, {"date": "2024-05-08"}) == "a day off (time zone)"
    assert classify_date(page, {"date": "2024-05-09"}) == "modified date"
    assert classify_date(page, {"date": None}) == "missing"


def test_count_misses_groups_ids_by_class_and_skips_pages_not_predicted(tmp_path: Path) -> None:
    pages = [make_page(tmp_path, pid, {"articleBody": ARTICLE, "authors": ["Lois Lane"]}) for pid in "abc"]
    preds = {"a": {"text": ARTICLE, "author": "Lois Lane"}, "b": {"text": "", "author": None}}
    misses = count_misses(pages, preds)
    assert misses == {"authors": {"person not in page text": ["b"]}, "body": {"missing": ["b"]}}


def test_eval_wrapper_keeps_predictions_and_reports_person_named_authors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name in ("zyte-aeb", "fundus-dev"):
        (data / name / "pages").mkdir(parents=True)
    html = (f'<html><head>{SITE_HEAD}<meta name="author" content="Lois Lane"><title>Bridge</title></head>'
            f"<body><article><h1>Old bridge closes</h1>"
            f"<p>By Lois Lane</p><p>{ARTICLE}</p><p>{ARTICLE}</p></article></body></html>")
    for name, gt in (("zyte-aeb", {}), ("fundus-dev", {"headline": "Old bridge closes", "authors": ["Lois Lane"],
                                                        "datePublished": "2024-05-07", "group": "uk"})):
        pages = data / name / "pages"
        (pages / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
        gt = {"id": "p1", "url": "https://www.dailyplanet.example/news/a-1", "articleBody": ARTICLE, **gt}
        (pages / "p1.json").write_text(json.dumps(gt), encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "EVAL_DATA": str(data)}
    run = subprocess.run(["bash", str(BENCH / "eval.sh"), "--n-bootstrap", "0", "--out", str(out), "--misses",
                          "--save-predictions", str(tmp_path / "all.jsonl")],
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["fundus-dev.jsonl", "zyte-aeb.jsonl"]
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == 4  # two systems, two sets
    assert "authors persons" in run.stdout and "== miss classes: fundus-dev" in run.stdout
    assert "(pages: body 1, title 1, authors 1, person-named 1, date 1)" in run.stdout
    # a prediction turned wrong shows as a lower figure and a page that got worse
    before = tmp_path / "before"
    before.mkdir()
    for path in out.iterdir():
        (before / path.name).write_text(path.read_text())
    rows = [json.loads(line) for line in (out / "fundus-dev.jsonl").read_text().splitlines()]
    (out / "fundus-dev.jsonl").write_text("".join(json.dumps({**r, "author": "Perry White"}) + "\n" for r in rows))
    report = subprocess.run([sys.executable, str(BENCH / "eval_report.py"), str(out), "--before", str(before),
                             "--system", "newsarchive"], env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert report.returncode == 0, report.stderr
    assert "fundus-dev  LOWER: authors all 1.0000 -> 0.0000; authors persons 1.0000 -> 0.0000" in report.stdout
    assert "== pages that changed: fundus-dev: 1 worse, 0 better\n  worse  p1 author" in report.stdout
    assert "== pages that changed: zyte-aeb: 0 worse, 0 better" in report.stdout
