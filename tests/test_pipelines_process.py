"""pipelines/process.py through the chain that runs it: captured page -> item written once, or a
counted drop."""
from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import pytest

from archive.codings import decode_payload
from archive.store import Store
from pipelines.dedupe import Deduper
from pipelines.extraction_types import BINARY, Extraction, looks_binary
from pipelines.ordered import OrderedChain
from pipelines.process import ITEM_FIELDS, Decider, Page
from pipelines.textnorm import content_hash, hamming, simhash
from pipelines.values import Outcome, OutcomeKind

STORY = " ".join(
    "On day %d the council discussed tram line %d and a budget of %d million."
    % (i, i * 7 % 13, i * 3) for i in range(1, 80)
)
OTHER_STORY = " ".join(
    "A storm hit coast number %d and left %d homes without power for %d hours." % (i, i * 11, i % 5)
    for i in range(1, 80)
)


class FakeExtractions:
    """Stands in for ExtractionPool: a page body is the JSON of the Extraction it yields (codings
    still on a body are undone first, and binary found behind them is skipped, as workers do)."""

    info = {"name": "fake-extractor", "version": "9.9"}

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def submit(self, body: bytes | str, url: str, encoding: str | None = None,
               codings: tuple[str, ...] = ()) -> Future[Extraction]:
        future: Future[Extraction] = Future()
        assert isinstance(body, bytes)
        body = decode_payload(body, codings, url) if codings else body
        if looks_binary(body):
            future.set_result(Extraction(None, BINARY))
            return future
        self.calls.append((url, encoding))
        data = json.loads(body)
        future.set_result(Extraction(data.get("article"), data.get("reason", "article")))
        return future


class ListSink:
    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    def write(self, item: dict[str, object]) -> None:
        self.items.append(item)


def article_page(page_url: str, text: str = STORY, **fields: object) -> Page:
    """A page whose extraction is an article with `text` and `fields` (`url`: canonical link)."""
    article = {"title": "Trams", "authors": ["R. Porter"], "text": text, **fields}
    return Page(url=page_url, body=json.dumps({"article": article}).encode(),
                fetched_at="2024-03-04T05:06:07.000008Z",
                warc={"filename": "a.warc.gz", "offset": 10, "length": 20, "record_id": "<urn:x>"})


def non_article_page(url: str, reason: str) -> Page:
    return Page(url=url, body=json.dumps({"article": None, "reason": reason}).encode())


class Run:
    """One run of the chain over a store, as a crawl or a replay sets it up."""

    def __init__(self, store_path: Path, run_id: str) -> None:
        self.store = Store(str(store_path))
        self.extractor = FakeExtractions()
        self.sink = ListSink()
        self.stats: Counter[str] = Counter()
        self.decider = Decider(Deduper(self.store), self.sink, run_id, self.extractor.info, self.stats)
        self.chain = OrderedChain(self.extractor, self.decider)

    def outcomes(self, *pages: Page) -> list[Outcome]:
        decided = [self.chain.push(page) for page in pages]
        self.chain.finish()
        return [outcome.result() for outcome in decided]

    def verdicts(self, *pages: Page) -> list[str]:
        return [str(outcome) for outcome in self.outcomes(*pages)]


@pytest.fixture
def run(tmp_path: Path):
    first = Run(tmp_path / "store.sqlite", "run-1")
    yield first
    first.store.close()


def test_a_new_article_is_written_once_with_every_field(run: Run) -> None:
    page = article_page("https://News.Example/2024/trams?utm_source=feed&id=3#top")

    (outcome,) = run.outcomes(page)

    assert outcome.kind is OutcomeKind.WRITTEN and outcome.detail == ""
    (item,) = run.sink.items
    assert outcome.item is not None and outcome.item.to_dict() == item
    assert list(item) == list(ITEM_FIELDS)
    assert item["url"] == "https://news.example/2024/trams?id=3"
    assert item["fetched_url"] == "https://News.Example/2024/trams?utm_source=feed&id=3#top"
    assert (item["title"], item["authors"], item["text"]) == ("Trams", ["R. Porter"], STORY)
    assert item["word_count"] == len(STORY.split())
    assert item["content_hash"] == content_hash(STORY)
    assert str(item["content_hash"]).startswith("sha256:")
    assert item["simhash"] == simhash(STORY)
    assert item["fetched_at"] == "2024-03-04T05:06:07.000008Z"
    assert item["warc"] == {
        "filename": "a.warc.gz", "offset": 10, "length": 20, "record_id": "<urn:x>"}
    assert item["run"] == "run-1"
    assert item["extractor"] == {"name": "fake-extractor", "version": "9.9"}
    assert run.stats == Counter({"items/written": 1})
    assert run.store.is_known_article_url("https://news.example/2024/trams?id=3")


def test_a_page_fetched_under_its_canonical_url_has_no_fetched_url(run: Run) -> None:
    run.outcomes(article_page("https://news.example/a"))
    assert run.sink.items[0]["fetched_url"] is None


def test_the_same_url_again_is_a_url_duplicate_unless_its_text_changed(run: Run) -> None:
    verdicts = run.verdicts(
        article_page("https://news.example/a"),
        article_page("https://NEWS.example/a?fbclid=xyz"),  # the same page again
        article_page("https://news.example/a", text=OTHER_STORY),  # updated: a new version
        article_page("https://news.example/a?utm_source=x", text=OTHER_STORY),
    )
    assert verdicts == ["written", "duplicate:url", "written", "duplicate:url"]
    assert [(i["url"], i["version"]) for i in run.sink.items] == [
        ("https://news.example/a", 1), ("https://news.example/a", 2)]
    assert run.stats["dedupe/url"] == 2
    assert run.stats["items/updated"] == 1
    assert run.store.article("https://news.example/a").version == 2


def test_the_same_text_under_another_url_is_an_exact_duplicate_and_an_alias(run: Run) -> None:
    verdicts = run.verdicts(
        article_page("https://news.example/a"),
        article_page("https://mirror.example/copy?utm_medium=x"),
        # typography and spacing do not make a different text
        article_page("https://other.example/b", text="  " + STORY.upper().replace(".", " !")),
    )
    assert verdicts == ["written", "duplicate:exact", "duplicate:exact"]
    assert [i["url"] for i in run.sink.items] == ["https://news.example/a"]
    assert run.store.alias_target("https://mirror.example/copy") == "https://news.example/a"
    assert run.store.aliases_of("https://news.example/a") == [
        "https://mirror.example/copy", "https://other.example/b"]
    assert run.stats["dedupe/exact"] == 2


def _syndicated_copy() -> str:
    """STORY with wire boilerplate: another text whose SimHash is 1 to 3 bits away."""
    for n in range(1, 30):
        text = STORY + " " + " ".join("Syndicated by wire service %d." % k for k in range(n))
        if 1 <= hamming(simhash(STORY), simhash(text)) <= 3:
            return text
    raise AssertionError("no near copy of STORY found: did the SimHash features change?")


def test_a_near_copy_is_a_near_duplicate_and_an_alias(run: Run) -> None:
    copy = _syndicated_copy()
    assert hamming(simhash(STORY), simhash(OTHER_STORY)) > 3

    verdicts = run.verdicts(
        article_page("https://news.example/a"),
        article_page("https://wire.example/a", text=copy),
        article_page("https://news.example/b", text=OTHER_STORY),
    )

    assert verdicts == ["written", "duplicate:near", "written"]
    assert [i["url"] for i in run.sink.items] == [
        "https://news.example/a", "https://news.example/b"]
    assert run.store.alias_target("https://wire.example/a") == "https://news.example/a"
    assert run.stats == Counter({"items/written": 2, "dedupe/near": 1})


def test_pages_that_are_not_ok_html_are_skipped_unread(run: Run) -> None:
    page = article_page("https://news.example/a")
    missing = Page(url=page.url, body=page.body, status=404)
    moved = Page(url=page.url, body=page.body, status=301)
    pdf = Page(url=page.url, body=page.body, content_type="application/pdf")

    assert run.verdicts(missing, moved, pdf) == [
        "skipped:status-404", "skipped:status-301", "skipped:not-html"]
    assert run.extractor.calls == []
    assert run.sink.items == []
    assert run.stats == Counter({"extract/skipped/status-404": 1, "extract/skipped/status-301": 1,
                                 "extract/skipped/not-html": 1})
    # nothing was remembered: the page can still be archived when it comes back OK
    assert run.verdicts(page) == ["written"]


def test_a_body_with_codings_on_it_is_decoded_before_extraction(run: Run) -> None:
    page = article_page("https://news.example/a")
    coded = Page(url=page.url, body=gzip.compress(page.body), codings=("gzip",))
    binary = Page(url="https://news.example/b", body=gzip.compress(b"GIF89a\x00\x01" + bytes(99)),
                  codings=("gzip",))
    assert run.decider.precheck(coded) is None and run.decider.precheck(binary) is None
    assert run.verdicts(coded, binary) == ["written", "skipped:binary"]
    assert run.extractor.calls == [("https://news.example/a", None)]
    assert run.stats["extract/skipped/binary"] == 1


def test_xhtml_and_a_missing_content_type_are_read(run: Run) -> None:
    xhtml = article_page("https://news.example/a")
    xhtml.content_type = "application/xhtml+xml"
    xhtml.encoding = "iso-8859-1"
    untyped = article_page("https://news.example/b", text=OTHER_STORY)
    untyped.content_type = ""
    assert run.verdicts(xhtml, untyped) == ["written", "written"]
    assert run.extractor.calls == [
        ("https://news.example/a", "iso-8859-1"), ("https://news.example/b", None)]


def test_a_page_that_is_no_article_is_counted_not_written(run: Run) -> None:
    verdicts = run.verdicts(
        non_article_page("https://news.example/", "listing-page"),
        non_article_page("https://news.example/tag/x", "listing-page"),
        non_article_page("https://news.example/short", "not-article:too-short"),
    )
    assert verdicts == [
        "not_article:listing-page", "not_article:listing-page", "not_article:too-short"]
    assert run.sink.items == []
    assert run.stats == Counter({"extract/not_article": 3, "extract/reason/listing-page": 2,
                                 "extract/reason/too-short": 1})
    assert not run.store.is_known_article_url("https://news.example/")


def test_extraction_errors_are_counted_and_logged_once_a_kind(
    run: Run, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="pipelines.process"):
        verdicts = run.verdicts(
            non_article_page("https://news.example/1", "error:ParserError: bad"),
            non_article_page("https://news.example/2", "error:ParserError: worse"),
            non_article_page("https://news.example/3", "error:empty-page"),
        )
    assert verdicts == ["error:ParserError: bad", "error:ParserError: worse", "error:empty-page"]
    assert run.stats == Counter({"extract/error": 3})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "https://news.example/1" in warnings[0] and "https://news.example/3" in warnings[1]


def test_a_canonical_link_on_the_same_site_names_the_item(run: Run) -> None:
    page = article_page("https://news.example/amp/a", url="https://news.example/a?utm_source=amp")
    assert run.verdicts(page) == ["written"]
    item = run.sink.items[0]
    assert item["url"] == "https://news.example/a"
    assert item["fetched_url"] == "https://news.example/amp/a"
    assert run.store.alias_target("https://news.example/amp/a") == "https://news.example/a"
    # fetching the AMP page again is the same article
    assert run.verdicts(article_page("https://news.example/amp/a")) == ["duplicate:url"]


def test_a_canonical_link_to_another_site_is_ignored(run: Run) -> None:
    page = article_page("https://news.example/a", url="https://spam.example/stolen")
    run.verdicts(page)
    assert run.sink.items[0]["url"] == "https://news.example/a"
    assert not run.store.is_known_article_url("https://spam.example/stolen")


def test_urls_a_page_was_redirected_from_become_its_aliases(run: Run) -> None:
    page = article_page("https://news.example/new-slug")
    page.redirected_from = [
        "https://news.example/old-slug?utm_campaign=x", "http://news.example/p=12"]
    run.verdicts(page)
    assert run.store.aliases_of("https://news.example/new-slug") == [
        "http://news.example/p=12", "https://news.example/old-slug"]
    assert run.verdicts(article_page("https://news.example/old-slug")) == ["duplicate:url"]


def test_a_second_run_over_the_same_store_writes_nothing_again(tmp_path: Path) -> None:
    pages = [
        article_page("https://news.example/a"),
        article_page("https://mirror.example/a", text=STORY),
        article_page("https://news.example/b", text=OTHER_STORY),
        non_article_page("https://news.example/", "listing-page"),
    ]
    first = Run(tmp_path / "store.sqlite", "run-1")
    assert first.verdicts(*pages) == [
        "written", "duplicate:exact", "written", "not_article:listing-page"]
    first.store.close()

    second = Run(tmp_path / "store.sqlite", "run-2")
    try:
        verdicts = second.verdicts(*pages)
    finally:
        second.store.close()

    assert second.sink.items == []
    assert verdicts == [
        "duplicate:url", "duplicate:url", "duplicate:url", "not_article:listing-page"]
    assert second.stats["items/written"] == 0


def test_the_outcome_is_typed_and_the_item_keeps_the_design_field_order(run: Run) -> None:
    copy = article_page("https://mirror.example/a")
    written, duplicate, not_article = run.outcomes(
        article_page("https://news.example/a"), copy, non_article_page("https://news.example/", "home"))
    assert (written.kind, duplicate.kind, not_article.kind) == (
        OutcomeKind.WRITTEN, OutcomeKind.DUPLICATE, OutcomeKind.NOT_ARTICLE)
    assert (duplicate.detail, not_article.detail, not_article.item) == ("exact", "home", None)
    # a duplicate's item is built (the URLs it is an alias of) but never written
    assert duplicate.item is not None and duplicate.item.url == "https://mirror.example/a"
    assert [i["url"] for i in run.sink.items] == ["https://news.example/a"]
    # byte for byte the JSON line the crawl wrote before items were typed
    line = json.dumps(run.sink.items[0], ensure_ascii=False)
    assert line.startswith('{"url": "https://news.example/a", "fetched_url": null, "title": "Trams", '
                           '"authors": ["R. Porter"], "published": null, "modified": null, ')
    assert line.endswith('"run": "run-1", "extractor": {"name": "fake-extractor", "version": "9.9"}, '
                         '"version": 1}')


def test_a_pool_that_fails_a_page_makes_it_a_counted_error(run: Run) -> None:
    class BrokenPool(FakeExtractions):
        def submit(self, body: bytes | str, url: str, encoding: str | None = None,
                   codings: tuple[str, ...] = ()) -> Future[Extraction]:
            if url.endswith("/broken"):
                future: Future[Extraction] = Future()
                future.set_exception(RuntimeError("A process in the process pool was terminated"))
                return future
            return super().submit(body, url, encoding, codings)

    run.chain = OrderedChain(BrokenPool(), run.decider)
    assert run.verdicts(article_page("https://news.example/broken"), article_page("https://news.example/a")) == [
        "error:worker: A process in the process pool was terminated", "written"]
    assert run.stats["extract/error"] == 1


def test_every_outcome_is_recorded_in_the_store_with_its_capture(run: Run) -> None:
    page = article_page("https://news.example/a")
    run.outcomes(
        page,
        article_page("https://mirror.example/copy?utm_medium=x"),  # exact duplicate of /a
        article_page("https://news.example/a", text=OTHER_STORY),  # a new version of /a
        non_article_page("https://news.example/", "listing"),
        Page(url="https://news.example/gone", body=b"x", status=404),
        non_article_page("https://news.example/broken", "error:parser: boom"),
    )
    recorded = list(run.store.run_outcomes("run-1"))
    assert recorded == [  # in the order decided: a skipped page is decided when it comes in
        ("https://news.example/gone", "skipped", "status-404", None),
        ("https://news.example/a", "written", "new", None),
        ("https://mirror.example/copy", "duplicate", "exact", "https://news.example/a"),
        ("https://news.example/a", "written", "updated", None),
        ("https://news.example/", "not_article", "listing", None),
        ("https://news.example/broken", "error", "parser: boom", None),
    ]
    first = run.store.outcomes_of("https://news.example/a")[0]
    assert (first["fetched_at"], first["warc"]) == ("2024-03-04T05:06:07.000008Z", "a.warc.gz#10")
    assert run.store.outcomes_of("https://news.example/")[0]["warc"] is None  # the page named none


def test_a_duplicate_found_in_a_later_run_is_recorded_for_that_run(tmp_path: Path) -> None:
    first = Run(tmp_path / "store.sqlite", "run-1")
    first.outcomes(article_page("https://news.example/a"))
    first.store.close()
    second = Run(tmp_path / "store.sqlite", "run-2")
    second.outcomes(article_page("https://news.example/a?utm_source=x"))
    assert list(second.store.run_outcomes("run-2")) == [
        ("https://news.example/a", "duplicate", "url", "https://news.example/a")]
    assert [o["run"] for o in second.store.outcomes_of("https://news.example/a")] == ["run-1", "run-2"]
    second.store.close()
