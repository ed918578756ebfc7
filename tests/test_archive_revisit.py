"""archive/revisit_policy.py: a full response, an identical-payload revisit or a server-not-modified one.

A real Store (SQLite in tmp_path) and a real WarcWriter; what was written is read back with warcio.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reader import iter_responses
from archive.revisit_policy import DedupingWriter, Tally
from archive.store import Store
from archive.warc import HttpExchange, RecordLocation, WarcWriter

PAGE = b"<html><body><p>The water board approved the plan.</p></body></html>"
OTHER = b"<html><body><p>Something else entirely.</p></body></html>"
START = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def head(status: str, *fields: str) -> bytes:
    return ("HTTP/1.1 %s\r\n" % status + "".join(f + "\r\n" for f in fields) + "\r\n").encode("latin-1")


def exchange(url: str, body: bytes = PAGE, status: str = "200 OK", *fields: str,
             truncated: str | None = None, minutes: int = 0) -> HttpExchange:
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3]
    return HttpExchange(
        url=url,
        request_head=b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path.encode(), host.encode()),
        response_head=head(status, "Content-Type: text/html", "Content-Length: %d" % len(body), *fields),
        body=body, truncated=truncated, date=START + timedelta(minutes=minutes))


class Session:
    """One run's writer over a collection's store and archive folder."""

    def __init__(self, root: Path, store: Store | None, version: str = "1.1", gzip: bool = True) -> None:
        self.tally = Tally()
        self.warcs = WarcWriter(str(root / "archive"), prefix="run", gzip=gzip, warc_version=version)
        self.writer = DedupingWriter(self.warcs, store, self.tally)

    def __enter__(self) -> DedupingWriter:
        return self.writer

    def __exit__(self, *exc: object) -> None:
        self.writer.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(str(tmp_path / "store.sqlite")) as opened:
        yield opened


def records(root: Path) -> list[tuple[str, dict[str, str], bytes]]:
    """(type, WARC headers, stored payload) of each response and revisit record, in file order."""
    out = []
    for path in sorted((root / "archive").glob("*.warc*")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    out.append((record.rec_type, dict(record.rec_headers.headers), record.content_stream().read()))
    return out


def profile(fields: dict[str, str]) -> str:
    return fields.get("WARC-Profile", "").rsplit("/", 1)[-1]


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_a_payload_seen_before_becomes_a_revisit_of_its_first_capture(
    tmp_path: Path, store: Store, version: str, gzip: bool
) -> None:
    session = Session(tmp_path, store, version, gzip)
    with session as writer:
        first = writer.write(exchange("http://news.example/a"), 200)
        again = writer.write(exchange("http://news.example/a", minutes=5), 200)
        elsewhere = writer.write(exchange("http://news.example/a?utm=x", minutes=6), 200)

    (_, original, body), (_, revisit, empty), (_, other, _) = got = records(tmp_path)
    assert [(kind, profile(fields)) for kind, fields, _ in got] == [
        ("response", ""), ("revisit", "identical-payload-digest"), ("revisit", "identical-payload-digest")]
    assert body == PAGE and empty == b""
    assert revisit["WARC-Profile"].startswith("http://netpreserve.org/warc/%s/" % version)
    for fields in (revisit, other):
        assert fields["WARC-Refers-To"] == original["WARC-Record-ID"] == first.record_id
        assert fields["WARC-Refers-To-Target-URI"] == "http://news.example/a"
        assert fields["WARC-Refers-To-Date"] == original["WARC-Date"] == first.date
        assert fields["WARC-Payload-Digest"] == sha1_b32(PAGE)
    assert (again.record_id, elsewhere.record_id) == (revisit["WARC-Record-ID"], other["WARC-Record-ID"])
    assert session.tally.counts == {"archive/responses": 1, "archive/revisits": 2, "archive/records": 6}


def test_a_later_run_refers_to_the_capture_of_an_earlier_one(tmp_path: Path, store: Store) -> None:
    with Session(tmp_path, store) as writer:
        first = writer.write(exchange("http://news.example/a"), 200)
    with Session(tmp_path, store) as writer:
        later = writer.write(exchange("http://news.example/a", minutes=60), 200)

    assert later.filename != first.filename
    (_, _, _), (kind, fields, _) = records(tmp_path)
    assert kind == "revisit" and fields["WARC-Refers-To"] == first.record_id
    # and a reader finds the body the revisit stands for, in the other file
    (_, replayed) = list(iter_responses([str(tmp_path / "archive")]))
    assert (replayed.record_type, replayed.body, replayed.refers_to) == (
        "revisit", PAGE, RecordLocation(first.filename, first.offset, first.length, first.record_id,
                                        first.date, first.payload_digest))


def test_a_304_is_a_not_modified_revisit_of_the_last_full_capture(tmp_path: Path, store: Store) -> None:
    session = Session(tmp_path, store)
    with session as writer:
        first = writer.write(exchange("http://news.example/feed", PAGE, "200 OK", 'ETag: "v1"'), 200,
                             etag='"v1"', last_modified="Mon, 06 May 2024 07:00:00 GMT")
        # an identical 200 under the same URL is a revisit: the validator still names the full record
        writer.write(exchange("http://news.example/feed", minutes=1), 200, etag='"v1"')
        not_modified = writer.write(exchange("http://news.example/feed", b"", "304 Not Modified", 'ETag: "v1"',
                                             minutes=2), 304, etag='"v1"')

    *_, (kind, fields, content) = records(tmp_path)
    assert (kind, profile(fields), content) == ("revisit", "server-not-modified", b"")
    assert fields["WARC-Refers-To"] == first.record_id
    assert fields["WARC-Refers-To-Date"] == first.date
    assert fields["WARC-Payload-Digest"] == sha1_b32(PAGE)
    assert not_modified.record_id == fields["WARC-Record-ID"]
    validator = store.validator("http://news.example/feed")
    assert validator is not None
    assert (validator.etag, validator.record_id, validator.filename, validator.offset) == (
        '"v1"', first.record_id, first.filename, first.offset)
    assert session.tally.counts == {"archive/responses": 1, "archive/revisits": 2, "archive/not_modified": 1,
                                    "archive/records": 6}
    # replayed, the 304 is the page as last captured in full: status, headers and body
    replayed = list(iter_responses([str(tmp_path / "archive")]))[-1]
    assert (replayed.status, replayed.body, replayed.header("ETag")) == (200, PAGE, '"v1"')


def test_a_304_without_an_earlier_capture_is_archived_as_it_came(tmp_path: Path, store: Store) -> None:
    session = Session(tmp_path, store)
    with session as writer:
        writer.write(exchange("http://news.example/feed", b"", "304 Not Modified"), 304)

    ((kind, fields, content),) = records(tmp_path)
    assert (kind, content) == ("response", b"")
    assert session.tally.counts == {"archive/responses": 1, "archive/records": 2}


@pytest.mark.parametrize("status, body", [(404, PAGE), (301, PAGE), (200, b"")],
                         ids=["not-found", "redirect", "empty"])
def test_only_a_200_with_a_body_is_compared_or_remembered(
    tmp_path: Path, store: Store, status: int, body: bytes
) -> None:
    with Session(tmp_path, store) as writer:
        writer.write(exchange("http://news.example/a", PAGE), 200)
        writer.write(exchange("http://news.example/b", body, "%d Whatever" % status), status, etag='"b"')
        writer.write(exchange("http://news.example/c", body, "%d Whatever" % status), status)

    assert [kind for kind, _, _ in records(tmp_path)] == ["response"] * 3
    assert store.validator("http://news.example/b") is None
    assert store.validator("http://news.example/c") is None


def test_a_download_cut_short_is_never_a_revisit_nor_compared_with(tmp_path: Path, store: Store) -> None:
    cut = PAGE[:20]
    session = Session(tmp_path, store)
    with session as writer:
        writer.write(exchange("http://news.example/a"), 200)
        # its body is a payload archived already: still written in full, marked
        writer.write(exchange("http://news.example/a", PAGE, truncated="time", minutes=1), 200)
        writer.write(exchange("http://news.example/big", cut, truncated="length", minutes=2), 200, etag='"c"')
        # the cut body is not the page: the same bytes complete later are a capture of their own
        writer.write(exchange("http://news.example/small", cut, minutes=3), 200)

    got = records(tmp_path)
    assert [(kind, fields.get("WARC-Truncated")) for kind, fields, _ in got] == [
        ("response", None), ("response", "time"), ("response", "length"), ("response", None)]
    assert store.validator("http://news.example/big") is None
    known = store.payload(sha1_b32(cut))
    assert known is not None and known.url == "http://news.example/small"
    assert session.tally.counts == {"archive/responses": 4, "archive/truncated": 2, "archive/records": 8}


def test_without_a_store_every_exchange_is_archived_in_full(tmp_path: Path) -> None:
    session = Session(tmp_path, None)
    with session as writer:
        writer.write(exchange("http://news.example/a"), 200)
        writer.write(exchange("http://news.example/a", minutes=1), 200)
        writer.write(exchange("http://news.example/a", b"", "304 Not Modified", minutes=2), 304)

    assert [kind for kind, _, _ in records(tmp_path)] == ["response"] * 3
    assert session.tally.counts == {"archive/responses": 3, "archive/records": 6}


def test_a_changed_page_is_a_new_capture_that_later_304s_refer_to(tmp_path: Path, store: Store) -> None:
    with Session(tmp_path, store) as writer:
        writer.write(exchange("http://news.example/a", PAGE), 200, etag='"v1"')
        changed = writer.write(exchange("http://news.example/a", OTHER, minutes=1), 200, etag='"v2"')
        writer.write(exchange("http://news.example/a", b"", "304 Not Modified", minutes=2), 304)

    *_, (kind, fields, _) = records(tmp_path)
    assert kind == "revisit" and fields["WARC-Refers-To"] == changed.record_id
    assert fields["WARC-Payload-Digest"] == sha1_b32(OTHER)
