"""`newsarchive export`: a collection's items across runs, each article once, filtered."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import pipelines.merge as merge
from archive.collection import Collection
from crawler.cli import main
from tests.conftest import CrawlResult


def export(capsys, *args: str) -> list[dict]:
    assert main(["export", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_export_gives_each_article_once_across_runs(demo_recrawl: CrawlResult, capsys) -> None:
    items = export(capsys, "demo", "--root", str(demo_recrawl.root))
    urls = [i["url"] for i in items]
    assert len(urls) == len(set(urls)) >= 30
    assert len(demo_recrawl.reports()) == 2


def test_export_to_a_file(demo_crawl: CrawlResult, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["export", "demo", "--root", str(demo_crawl.root), "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == len(demo_crawl.items())
    assert "exported %d articles" % len(lines) in capsys.readouterr().err


def test_export_filters_by_publication_date(demo_crawl: CrawlResult, capsys) -> None:
    dates = sorted(i["published"][:10] for i in demo_crawl.items())
    middle = dates[len(dates) // 2]
    since = export(capsys, "demo", "--root", str(demo_crawl.root), "--since", middle)
    until = export(capsys, "demo", "--root", str(demo_crawl.root), "--until", middle)
    assert since and until
    assert all(i["published"][:10] >= middle for i in since)
    assert all(i["published"][:10] <= middle for i in until)
    assert len(since) + len(until) == len(dates) + dates.count(middle)


def test_export_filters_by_site(demo_crawl: CrawlResult, capsys) -> None:
    assert len(export(capsys, "demo", "--root", str(demo_crawl.root), "--site", "127.0.0.1")) == len(
        demo_crawl.items())
    assert export(capsys, "demo", "--root", str(demo_crawl.root), "--site", "example.org") == []


def test_export_with_aliases_lists_the_other_urls(demo_crawl: CrawlResult, demo_site, capsys) -> None:
    items = export(capsys, "demo", "--root", str(demo_crawl.root), "--with-aliases")
    assert all(isinstance(i["aliases"], list) for i in items)
    assert sum(len(i["aliases"]) for i in items) >= 1
    by_url = {i["url"]: i for i in items}
    for article in demo_site.articles():
        for alias in by_url[article.url]["aliases"]:
            assert alias != article.url


def test_export_of_an_unknown_collection_is_one_clear_line(tmp_path: Path, capsys) -> None:
    assert main(["export", "nosuch", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nosuch" in err and len(err.strip().splitlines()) == 1


def test_export_rejects_a_bad_date(demo_crawl: CrawlResult, capsys) -> None:
    assert main(["export", "demo", "--root", str(demo_crawl.root), "--since", "last tuesday"]) == 2
    assert "last tuesday" in capsys.readouterr().err


def test_export_skips_and_names_lines_that_are_no_items(tmp_path: Path, capsys, monkeypatch) -> None:
    collection = Collection.create(str(tmp_path), "hand")
    good = [{"url": "https://a.example/%d" % n, "title": "Ünïcode %d" % n} for n in range(3)]
    path = Path(collection.items_path("20240101T000000000000Z"))
    path.write_bytes(b"".join(json.dumps(i, ensure_ascii=False).encode() + b"\n" for i in good[:2])
                     + b'{"url": "https://a.example/torn", "ti\n'
                     + json.dumps(good[2], ensure_ascii=False).encode() + b"\n")
    assert export(capsys, "hand", "--root", str(tmp_path), "--workers", "0") == good
    # the same through two parsing processes (they start only above INLINE_BYTES of items)
    spawned = []
    real_pool = merge.ProcessPoolExecutor
    monkeypatch.setattr(merge, "INLINE_BYTES", 0)
    monkeypatch.setattr(merge, "ProcessPoolExecutor", lambda *a, **kw: spawned.append(a) or real_pool(*a, **kw))
    monkeypatch.setattr(merge, "CHUNK_BYTES", 64)
    assert export(capsys, "hand", "--root", str(tmp_path), "--workers", "2") == good
    assert spawned == [(2,)]
    assert main(["export", "hand", "--root", str(tmp_path), "-o", str(tmp_path / "out.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 item lines that are no JSON item (torn by a crash?), the first in %s at byte" % path in err
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines() == [
        json.dumps(i, ensure_ascii=False) for i in good]


def test_export_refuses_a_negative_worker_count(demo_crawl: CrawlResult, capsys) -> None:
    assert main(["export", "demo", "--root", str(demo_crawl.root), "--workers", "-1"]) == 2
    assert "--workers must be 0 or more" in capsys.readouterr().err


def test_export_site_takes_a_port(demo_crawl: CrawlResult, demo_site, capsys) -> None:
    port = urlsplit(demo_site.url).port
    everything = export(capsys, "demo", "--root", str(demo_crawl.root))
    assert export(capsys, "demo", "--root", str(demo_crawl.root), "--site", "127.0.0.1:%d" % port) == everything
    other = port + 1 if port < 65535 else port - 1
    assert export(capsys, "demo", "--root", str(demo_crawl.root), "--site", "127.0.0.1:%d" % other) == []


def test_filters_that_leave_nothing_say_so_and_name_the_sites_there_are(demo_crawl: CrawlResult, demo_site,
                                                                        capsys) -> None:
    site = "127.0.0.1:%d" % urlsplit(demo_site.url).port
    other = "127.0.0.1:%d" % (8000 if site != "127.0.0.1:8000" else 8001)
    assert main(["export", "demo", "--root", str(demo_crawl.root), "--site", other]) == 0
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == "newsarchive export: none of the collection's %d articles matches --site %s; its sites: %s\n" % (
        len({i["url"] for i in demo_crawl.items()}), other, site)
    assert main(["export", "demo", "--root", str(demo_crawl.root), "--since", "2999-01-01"]) == 0
    assert "matches --since 2999-01-01T00:00:00+00:00; its sites: %s" % site in capsys.readouterr().err
    # a filter that keeps something says nothing more
    assert main(["export", "demo", "--root", str(demo_crawl.root), "--site", site]) == 0
    assert capsys.readouterr().err == ""


def test_an_empty_collection_exports_nothing_without_a_word(tmp_path: Path, capsys) -> None:
    Collection.create(str(tmp_path), "empty")
    assert main(["export", "empty", "--root", str(tmp_path), "--site", "example.org"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("value", ["127.0.0.1:port", "example.org:99999", "http://example.org/", ":80"])
def test_export_refuses_a_site_that_is_no_host_or_host_and_port(tmp_path: Path, value: str, capsys) -> None:
    Collection.create(str(tmp_path), "c")
    assert main(["export", "c", "--root", str(tmp_path), "--site", value]) == 2
    err = capsys.readouterr().err
    assert repr(value) in err and len(err.strip().splitlines()) == 1


def test_a_site_with_a_port_matches_that_port_the_scheme_default_included() -> None:
    keeps = merge.MergeFilter(sites=["news.example.org:443", "[::1]:8000"]).keeps
    assert keeps("https://news.example.org/a", None)
    assert keeps("https://www.news.example.org:443/a", None)
    assert not keeps("http://news.example.org/a", None)
    assert not keeps("https://news.example.org:8443/a", None)
    assert keeps("http://[::1]:8000/a", None) and not keeps("http://[::1]:8001/a", None)
    assert [merge.site_of(u) for u in ("https://News.Example.org:443/", "http://[::1]:8000/", "http://a.b:80/")] == [
        "news.example.org", "[::1]:8000", "a.b"]
