"""A <meta charset> that the bytes contradict: UTF-8 text under an old single-byte declaration."""
from __future__ import annotations

import json
import socket
from pathlib import Path

from crawler.cli import main
from pipelines.htmlload import decode_html
from tests.conftest import crawl
from tests.hostile_server import SENTENCES, HostileServer, page

TITLE = "Zürich’s ferries: “Größte Flotte” since 1998 — café owners cheer"
SENTENCE = "Straßenbahn und Fähre fahren wieder, sagte die Behörde in Zürich; les cafés rouvrent à Genève"


def _page(meta_charset: str) -> str:
    paragraphs = "".join(f"<p>{SENTENCE}. {s.capitalize()}, and {SENTENCES[(i + 3) % 8]}.</p>"
                         for i, s in enumerate(SENTENCES))
    return (f"<html lang='de'><head><meta charset='{meta_charset}'><title>{TITLE}</title>"
            f"<meta property='og:type' content='article'></head>"
            f"<body><article><h1>{TITLE}</h1>{paragraphs}</article></body></html>")


UTF8_UNDER_LATIN1 = _page("iso-8859-1").encode("utf-8")
LATIN1_TITLE = "Käse aus Grütli: Bauern klagen über Preise"
LATIN1_SENTENCES = (
    "Die Bauern im Tal verkaufen ihren Käse seit Jahren an dieselbe Molkerei",
    "Nun zahlt die Molkerei für jedes Kilo weniger als im Frühjahr",
    "Der Verband fordert Gespräche über einen festen Preis bis zum Herbst",
    "Im Dorf öffnet bald ein Laden, der Käse direkt vom Hof anbietet",
    "Touristen kaufen dort gern, sagt die Wirtin des Gasthofs am Brünnelisee",
    "Ob das reicht, weiß noch niemand; die nächste Sitzung ist im März",
)
# a page that really is latin-1, of its own text (the crawl would take a copy for a duplicate)
REAL_LATIN1 = (
    f"<html lang='de'><head><meta charset='iso-8859-1'><title>{LATIN1_TITLE}</title>"
    "<meta property='og:type' content='article'></head><body><article>"
    f"<h1>{LATIN1_TITLE}</h1>"
    + "".join(f"<p>{a}. {b}, sagte der Sprecher am Montag.</p>"
              for a in LATIN1_SENTENCES for b in LATIN1_SENTENCES[:2])
    + "</article></body></html>").encode("latin-1")


def test_utf8_bytes_under_a_single_byte_meta_are_utf8() -> None:
    text = decode_html(UTF8_UNDER_LATIN1)
    assert TITLE in text and "Ã" not in text
    # windows-1251 and koi8-r are single-byte too
    for charset in ("windows-1251", "koi8-r", "windows-1252"):
        html = f"<meta charset={charset}><p>Привет, мир — für</p>".encode()
        assert "Привет, мир — für" in decode_html(html)


def test_a_real_single_byte_page_keeps_its_declaration() -> None:
    assert LATIN1_TITLE in decode_html(REAL_LATIN1)
    koi8 = "<meta charset=koi8-r><p>Привет</p>".encode("koi8-r")
    assert "Привет" in decode_html(koi8)


def test_the_http_header_is_not_second_guessed() -> None:
    # the server's word outranks the page's own, as in browsers
    assert "ZÃ¼rich" in decode_html(UTF8_UNDER_LATIN1, "iso-8859-1")
    assert TITLE in decode_html(UTF8_UNDER_LATIN1, "utf-8")


def test_ascii_and_multibyte_declarations_are_left_alone() -> None:
    ascii_page = b"<meta charset=iso-8859-1><p>plain</p>"
    assert decode_html(ascii_page) == ascii_page.decode()
    sjis = "<meta charset=shift_jis><p>日本語のテキスト</p>".encode("shift_jis")
    assert "日本語のテキスト" in decode_html(sjis)


def _serve(body: bytes):  # a route: the page with a Content-Type naming no charset
    def route(server: HostileServer, conn: socket.socket, request: bytes) -> None:
        conn.sendall(page(body, content_type=b"text/html", extra=[(b"Connection", b"close")]))
    return route


def _home(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    links = "".join(f'<a href="/{p}">{p}</a> ' for p in ("zuerich-faehren-fahren-wieder", "latin1-seite-alt-und-echt"))
    conn.sendall(page(f"<html><body>{links}</body></html>".encode(), extra=[(b"Connection", b"close")]))


def test_crawl_and_replay_read_utf8_under_a_latin1_meta(tmp_path: Path, capsys) -> None:
    routes = {"/": _home, "/zuerich-faehren-fahren-wieder": _serve(UTF8_UNDER_LATIN1),
              "/latin1-seite-alt-und-echt": _serve(REAL_LATIN1)}
    with HostileServer(routes) as server:
        result = crawl(server.url, tmp_path, "charset", "--no-requisites")
    assert result.returncode == 0, result.stderr
    items = {item["url"].rsplit("/", 1)[1]: item for item in result.items()}
    assert set(items) == {"zuerich-faehren-fahren-wieder", "latin1-seite-alt-und-echt"}
    utf8 = items["zuerich-faehren-fahren-wieder"]
    assert utf8["title"] == TITLE
    assert SENTENCE in utf8["text"] and "Ã" not in utf8["text"]
    latin1 = items["latin1-seite-alt-und-echt"]
    assert latin1["title"] == LATIN1_TITLE and LATIN1_SENTENCES[5] in latin1["text"]
    # replay decodes the archived bytes the same way
    code = main(["replay", str(result.path / "archive"), "--root", str(tmp_path), "--collection", "again"])
    assert code == 0, capsys.readouterr().err
    replayed = [json.loads(line) for f in sorted((tmp_path / "again" / "items").glob("*.jsonl"))
                for line in f.read_text().splitlines() if line.strip()]
    assert {i["url"]: (i["title"], i["text"]) for i in replayed} == {
        i["url"]: (i["title"], i["text"]) for i in items.values()}
