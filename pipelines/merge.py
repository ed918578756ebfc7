"""A collection's item files merged: each article's latest version, in the order first archived.

Two passes, so that memory stays flat however many items a collection holds:
1. scan: worker processes parse the JSON lines (the CPU-heavy part), a range of a file each,
   and hand back per line only the URL, where the line is and what the filters look at; the
   caller upserts that, in file order, into a temporary on-disk SQLite table keyed by URL, so
   the last version of a URL wins and its first appearance keeps its place;
2. emit: the table in first-appearance order, filtered, each latest line read back from its
   file by offset and handed out as stored.

The old way kept every item, text and all, in a dict: ~1 KB of RAM per article and more.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any, BinaryIO, TypeVar
from urllib.parse import SplitResult, urlsplit

from pipelines.lifetime import exit_with_parent

__all__ = ["MergeFilter", "MergeReport", "item_moment", "merged_lines", "parse_site", "site_of"]

CHUNK_BYTES = 4 << 20  # a worker's share of a file: big enough to amortize the hand-over
INLINE_BYTES = 96 << 20  # below this much JSONL, starting processes costs more than it saves
# (bench/export_bench.py: 2 processes were 0.92x one on 59 MB of items, 1.15x on 293 MB)

_T = TypeVar("_T")
# (url, offset, length, moment) of one line; moment is a POSIX timestamp or None
_Scanned = tuple[str, int, int, float | None]


_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_site(value: str) -> tuple[str, int | None]:
    """`HOST` or `HOST:PORT` (`[::1]:8000` for IPv6) as (lower-case host, port or None);
    ValueError names the value."""
    spec = value.strip().lower()
    try:
        parts = urlsplit("//" + spec)
        host, port = (parts.hostname or "").strip("."), parts.port
    except ValueError:
        raise ValueError("%r is not a HOST or HOST:PORT" % value) from None
    if not host or parts.path or parts.query or parts.fragment or parts.username is not None:
        raise ValueError("%r is not a HOST or HOST:PORT" % value)
    return host, port


def site_of(url: str) -> str:
    """`host`, or `host:port` when the URL names a port other than its scheme's default."""
    parts = urlsplit(url)
    host, port = (parts.hostname or "").lower(), _port_of(parts)
    if ":" in host:
        host = "[%s]" % host
    return host if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()) else "%s:%d" % (host, port)


def _port_of(parts: SplitResult) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port out of range
        return None


@dataclass(frozen=True)
class MergeFilter:
    """Which articles to keep: published (else fetched) within [since, until], on these sites
    (`HOST`: that host and its subdomains, any port; `HOST:PORT`: and that port only)."""

    since: datetime | None = None
    until: datetime | None = None
    sites: Sequence[str] = ()

    @cached_property
    def _sites(self) -> list[tuple[str, int | None]]:
        return [parse_site(s) for s in self.sites if s.strip(".")]

    def _on_site(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return any((host == site or host.endswith("." + site)) and (port is None or port == _port_of(parts))
                   for site, port in self._sites)

    def keeps(self, url: str, moment: float | None) -> bool:
        if self._sites and not self._on_site(url):
            return False
        if self.since is None and self.until is None:
            return True
        if moment is None:
            return False
        if self.since is not None and moment < self.since.timestamp():
            return False
        return self.until is None or moment <= self.until.timestamp()


@dataclass
class MergeReport:
    """What the scan met: lines it could not use, counted, with the first one's place (for the
    caller to tell: a line torn by a crash is expected, and the rest of the file is intact)."""

    lines: int = 0
    unreadable: int = 0
    first_unreadable: str = ""
    articles: int = 0  # each URL once, before the filter
    kept: int = 0  # of those, what the filter kept
    sites: list[str] = field(default_factory=list)  # the articles' sites, told when the filter kept none


def _moment_of(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def item_moment(item: dict[str, object]) -> float | None:
    """When the article was published, else when it was fetched (POSIX time); None if neither."""
    for key in ("published", "fetched_at"):
        moment = _moment_of(item.get(key))
        if moment is not None:
            return moment
    return None


_TEXT_FIELDS = ("title", "published", "modified", "text", "fetched_at")  # text or null in every item


def _url_of_item(item: object) -> str | None:
    """The URL of an item line's JSON value; None if it is no item: not an object, no URL, or a
    text field that holds no text (`wacz` died on `"fetched_at": {}`, which export passed on)."""
    if not isinstance(item, dict):
        return None
    url = item.get("url")
    if not isinstance(url, str) or not url:
        return None
    if any(not isinstance(item.get(name), (str, type(None))) for name in _TEXT_FIELDS):
        return None
    return url


def scan_range(path: str, start: int, end: int) -> tuple[list[_Scanned], list[int]]:
    """Parse the lines that start in [start, end) of `path`: what pass 2 needs of each usable
    one, and the offsets of the unusable ones (torn by a crash, not JSON, not an item)."""
    found: list[_Scanned] = []
    bad: list[int] = []
    with open(path, "rb") as fh:
        fh.seek(start)
        offset = start
        while offset < end:
            line = fh.readline()
            if not line:
                break
            here, offset = offset, offset + len(line)
            text = line.strip()
            if not text:
                continue
            try:
                item = json.loads(text)
            except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
                bad.append(here)
                continue
            url = _url_of_item(item)
            if url is None:
                bad.append(here)
                continue
            found.append((url, here, len(line), item_moment(item)))
    return found, bad


def _ranges(path: str, chunk: int) -> Iterator[tuple[str, int, int]]:
    """`path` cut into ranges of about `chunk` bytes, each cut at a line start."""
    size = os.path.getsize(path)
    start = 0
    with open(path, "rb") as fh:
        while start < size:
            cut = start + chunk
            if cut >= size:
                yield path, start, size
                return
            fh.seek(cut)
            fh.readline()  # to the start of the next line
            cut = fh.tell()
            yield path, start, cut
            start = cut


class _Inline(Executor):
    def map(self, fn: Callable[..., _T], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1) -> Iterator[_T]:
        return map(fn, *iterables)


def _scan(ranges: list[tuple[str, int, int]], workers: int) -> Iterator[tuple[list[_Scanned], list[int]]]:
    if not ranges:
        return
    total = sum(end - start for _, start, end in ranges)
    if workers <= 1 or total < INLINE_BYTES or len(ranges) < 2:
        executor: Executor = _Inline()
    else:
        # spawn: a clean interpreter that imports only this module (not the extraction
        # forkserver's preloaded models, not whatever threads the caller runs); a killed export
        # must not leave them waiting for work forever, and with them the resource tracker:
        # they leave when we are gone
        executor = ProcessPoolExecutor(min(workers, len(ranges)),
                                       mp_context=multiprocessing.get_context("spawn"),
                                       initializer=exit_with_parent)
    with executor:
        paths, starts, ends = zip(*ranges, strict=True)
        # map hands results back in the order of the ranges: file order, so the last wins
        yield from executor.map(scan_range, paths, starts, ends)


def merged_lines(files: Sequence[str], keep: MergeFilter | None = None, *, workers: int = 1,
                 report: MergeReport | None = None, chunk: int | None = None) -> Iterator[bytes]:
    """Each article's latest line across `files` (oldest first), as stored, without its line
    end, in the order its URL first appeared, if `keep` keeps it."""
    keep = keep or MergeFilter()
    report = report if report is not None else MergeReport()
    ranges = [r for path in files for r in _ranges(path, chunk or CHUNK_BYTES)]
    index = {path: n for n, path in enumerate(files)}
    db = sqlite3.connect("")  # "": a temporary database on disk, gone when closed
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE latest (url TEXT PRIMARY KEY, first INTEGER, file INTEGER,"
                   " offset INTEGER, length INTEGER, moment REAL)")
        seq = 0
        for (path, _, _), (found, bad) in zip(ranges, _scan(ranges, workers), strict=True):
            file_no = index[path]
            rows = []
            for url, offset, length, moment in found:
                rows.append((url, seq, file_no, offset, length, moment))
                seq += 1
            db.executemany(
                "INSERT INTO latest VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
                " file=excluded.file, offset=excluded.offset, length=excluded.length,"
                " moment=excluded.moment", rows)
            report.lines += len(found) + len(bad)
            if bad and not report.unreadable:
                report.first_unreadable = "%s at byte %d" % (path, bad[0])
            report.unreadable += len(bad)
        handles: dict[int, BinaryIO] = {}
        try:
            rows_out = db.execute("SELECT url, file, offset, length, moment FROM latest ORDER BY first")
            for url, file_no, offset, length, moment in rows_out:
                report.articles += 1
                if not keep.keeps(url, moment):
                    continue
                report.kept += 1
                fh = handles.get(file_no)
                if fh is None:
                    fh = handles[file_no] = open(files[file_no], "rb")
                fh.seek(offset)
                yield fh.read(length).strip()
        finally:
            for fh in handles.values():
                fh.close()
        if report.articles and not report.kept:  # a filter that matched nothing: say what is there
            report.sites = sorted({site_of(url) for (url,) in db.execute("SELECT url FROM latest")})
    finally:
        db.close()
