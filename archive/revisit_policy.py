"""The revisit policy: each exchange archived in full, or as a revisit when the store says nothing changed."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from archive.store import KnownPayload, Store, Validator
from archive.warc import HttpExchange, RecordLocation, WarcWriter, payload_digest


class Counts(Protocol):
    """Where the writer counts what it wrote: Scrapy's stats collector is one, a `Tally` another."""

    def inc_value(self, key: str, count: int = 1) -> None: ...


@dataclass
class Tally:
    """Counts kept in memory, for a writer used without a crawler."""

    counts: Counter[str] = field(default_factory=Counter)

    def inc_value(self, key: str, count: int = 1) -> None:
        self.counts[key] += count


class DedupingWriter:
    """Writes exchanges through a WarcWriter, looking each one up first, as pywb's writer does in its dedup index.

    - A 304 for a URL whose last full capture left validators is a server-not-modified
      revisit of that capture.
    - A 200 with a body whose payload digest is archived already is an identical-payload
      revisit of the first capture of that payload.
    - Anything else, and everything when there is no store, is a full response record.

    Each 200 with a body leaves its digest and validators (ETag, Last-Modified, where its
    body is) in the store for the captures that follow. A download cut short
    (`exchange.truncated`) is always written in full and leaves nothing in the store: it
    is not the page, so no later capture may be a revisit of it or ask whether it changed.

    Counts `archive/responses`, `archive/revisits` (of which `archive/not_modified`),
    `archive/truncated` and `archive/records` (each exchange is two: response or revisit,
    and its request).
    """

    def __init__(self, writer: WarcWriter, store: Store | None = None, counts: Counts | None = None) -> None:
        self.writer = writer
        self.store = store
        self.counts: Counts = counts if counts is not None else Tally()

    def write(self, exchange: HttpExchange, status: int, etag: str | None = None,
              last_modified: str | None = None) -> RecordLocation:
        """Archive the exchange (`status`, `etag`, `last_modified` as its response said); return its place."""
        store = self.store
        if exchange.truncated:
            self.counts.inc_value("archive/truncated")
            return self._full(exchange)
        if store is None:
            return self._full(exchange)
        if status == 304:
            return self._not_modified(exchange, store)
        if status != 200 or not exchange.body:
            return self._full(exchange)
        digest = payload_digest(exchange.body)
        known = store.payload(digest)
        if known is not None:
            location = self._revisit(exchange, digest, known.url, known.date, known.record_id)
            original = known
        else:
            location = self._full(exchange)
            original = KnownPayload(digest, exchange.url, location.date, location.record_id,
                                    location.filename, location.offset)
            store.add_payload(original)
        store.set_validator(Validator(
            exchange.url, etag, last_modified, digest, original.record_id, original.date,
            original.filename, original.offset))
        return location

    def close(self) -> list[str]:
        """Close the WARC writer; return every file it closed."""
        return self.writer.close()

    def _not_modified(self, exchange: HttpExchange, store: Store) -> RecordLocation:
        previous = store.validator(exchange.url)
        if previous is None:  # nothing to refer to: the 304 itself is what was received
            return self._full(exchange)
        self.counts.inc_value("archive/not_modified")
        return self._revisit(exchange, previous.digest, previous.url, previous.date,
                             previous.record_id, not_modified=True)

    def _full(self, exchange: HttpExchange) -> RecordLocation:
        self.counts.inc_value("archive/responses")
        self.counts.inc_value("archive/records", 2)
        return self.writer.write_exchange(exchange)

    def _revisit(self, exchange: HttpExchange, digest: str, uri: str, date: str, record_id: str,
                 not_modified: bool = False) -> RecordLocation:
        self.counts.inc_value("archive/revisits")
        self.counts.inc_value("archive/records", 2)
        return self.writer.write_revisit(
            exchange, payload_digest=digest, refers_to_uri=uri, refers_to_date=date,
            refers_to_id=record_id, not_modified=not_modified)
