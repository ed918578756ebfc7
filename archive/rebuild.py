"""A damaged store rebuilt from what the collection holds: its item files, WARCs and run reports.

What comes back, and from where:
- articles and their versions: the item files, oldest run first (a later line of a URL is its
  newer version);
- aliases: each item's `fetched_url`, every redirect archived in the WARCs, and the URLs whose
  capture is an identical-payload revisit of an article's capture (exact duplicates); a
  duplicate whose page differed in its bytes (another template, a near duplicate) is not
  recoverable without extracting it again: a later crawl that meets it fetches it, finds it a
  duplicate again and writes no item for it;
- payload digests and validators (revisits, conditional requests): the WARC records;
- run history: runs/*.json (the scheduler's job history is not kept anywhere else and starts
  afresh).
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator

from archive.collection import Collection, iter_items
from archive.run import REPORTED_COUNTS
from archive.store import KnownPayload, Store, Validator

__all__ = ["RebuildReport", "move_aside", "rebuild_store"]

logger = logging.getLogger(__name__)

REBUILT_RUN = "rebuilt"  # the run of aliases found in the WARCs: no record says which run wrote it
_STORE_FILES = ("", "-wal", "-shm")


@dataclass
class RebuildReport:
    moved_to: str | None = None  # where the damaged store went
    articles: int = 0
    aliases: int = 0
    payloads: int = 0
    validators: int = 0
    runs: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)  # WARC files (or parts) that could not be read


def move_aside(path: str, now: datetime | None = None) -> str | None:
    """Rename the store and its WAL and shared-memory files to `<path>.damaged-<time>[-wal|-shm]`;
    the new name of the store, or None when there was none."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    target = "%s.damaged-%s" % (path, stamp)
    moved = None
    for suffix in _STORE_FILES:
        if os.path.exists(path + suffix):
            os.replace(path + suffix, target + suffix)
            moved = target
    return moved


def rebuild_store(collection: Collection, canonicalize: Callable[[str], str],
                  now: datetime | None = None) -> RebuildReport:
    """Move the collection's store aside and rebuild it. `canonicalize` makes a URL the form
    the store keys it by (ValueError for one it cannot). Hold the collection's writer lock."""
    report = RebuildReport(moved_to=move_aside(collection.store_path, now))
    with Store(collection.store_path, check=False) as store:
        _articles(store, collection, canonicalize, report)
        _captures(store, collection, canonicalize, report)
        _runs(store, collection, report)
    return report


def _canonical(canonicalize: Callable[[str], str], url: str) -> str | None:
    try:
        return canonicalize(url)
    except ValueError:
        return None


def _articles(store: Store, collection: Collection, canonicalize: Callable[[str], str],
              report: RebuildReport) -> None:
    with store.transaction():
        for _path, _line, item in iter_items(collection.item_files()):
            url, content_hash, simhash = item.get("url"), item.get("content_hash"), item.get("simhash")
            if not (isinstance(url, str) and isinstance(content_hash, str) and isinstance(simhash, str)):
                continue
            try:
                int(simhash, 16)
            except ValueError:
                continue
            run = str(item.get("run") or REBUILT_RUN)
            version = item.get("version")
            store.add_article(url, content_hash, simhash, run, str(item.get("fetched_at") or ""),
                              version if isinstance(version, int) else 1, _str_or_none(item.get("published")))
            report.articles += 1
            fetched = item.get("fetched_url")
            alias = _canonical(canonicalize, fetched) if isinstance(fetched, str) else None
            if alias and store.add_alias(alias, url, "fetched", run):
                report.aliases += 1
    report.articles = store.article_count()  # each URL once, however many versions


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _captures(store: Store, collection: Collection, canonicalize: Callable[[str], str],
              report: RebuildReport) -> None:
    for path in collection.warc_files():
        name = os.path.basename(path)
        try:
            with open(path, "rb") as fh, store.transaction():
                records = ArchiveIterator(fh)
                for record in records:
                    if record.rec_type in ("response", "revisit"):
                        has_body = bool(record.raw_stream.read(1))  # first: asking the offset reads on
                        _capture(store, record, has_body, name, records.get_record_offset(), canonicalize, report)
        except Exception as err:  # noqa: BLE001 - warcio raises many kinds; what was read stays
            report.problems.append("%s: %s" % (name, err))
            logger.warning("rebuilding the store: %s stops at %s: %s", name, type(err).__name__, err)


def _capture(store: Store, record: object, has_body: bool, filename: str, offset: int,
             canonicalize: Callable[[str], str], report: RebuildReport) -> None:
    rec = record  # warcio's ArcWarcRecord (untyped)
    headers = rec.rec_headers  # type: ignore[attr-defined]
    http = rec.http_headers  # type: ignore[attr-defined]
    url = headers.get_header("WARC-Target-URI")
    if not url or http is None:
        return
    report.records += 1
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        return
    location = http.get_header("Location")
    if 300 <= status < 400 and location:
        source, target = _canonical(canonicalize, url), _canonical(canonicalize, urljoin(url, location))
        if source and target and store.add_alias(source, target, "redirect", REBUILT_RUN):
            report.aliases += 1
        return
    if status != 200 or headers.get_header("WARC-Truncated"):
        return
    digest = headers.get_header("WARC-Payload-Digest") or ""
    date = headers.get_header("WARC-Date") or ""
    record_id = headers.get_header("WARC-Record-ID") or ""
    etag, last_modified = http.get_header("ETag"), http.get_header("Last-Modified")
    if rec.rec_type == "response":  # type: ignore[attr-defined]
        if not digest or not has_body:  # nothing to revisit
            return
        if store.payload(digest) is None:
            store.add_payload(KnownPayload(digest, url, date, record_id, filename, offset))
            report.payloads += 1
        original = store.payload(digest)
    else:
        original = store.payload(digest) if digest else None
        if original is None:
            return
        _exact_duplicate(store, url, original.url, canonicalize, report)
    assert original is not None
    store.set_validator(Validator(url, etag, last_modified, digest, original.record_id, original.date,
                                  original.filename, original.offset))
    report.validators += 1


def _exact_duplicate(store: Store, url: str, original: str, canonicalize: Callable[[str], str],
                     report: RebuildReport) -> None:
    """A capture of `url` with the very bytes of the article at `original`: an alias of it."""
    alias, article = _canonical(canonicalize, url), _canonical(canonicalize, original)
    if not alias or not article or alias == article:
        return
    known = store.article(article)
    if known is not None and store.article(alias) is None and store.add_alias(
            alias, known.url, "duplicate:exact", REBUILT_RUN):
        report.aliases += 1


def _runs(store: Store, collection: Collection, report: RebuildReport) -> None:
    if not os.path.isdir(collection.runs_dir):
        return
    for name in sorted(os.listdir(collection.runs_dir)):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(collection.runs_dir, name), encoding="utf-8") as fh:
                run = json.load(fh)
        except (OSError, ValueError) as err:
            report.problems.append("%s: %s" % (name, err))
            continue
        if not isinstance(run, dict):
            continue
        run_id = str(run.get("run") or name[:-len(".json")])
        store.start_run(run_id, str(run.get("kind") or "crawl"), str(run.get("started") or ""))
        if run.get("outcome"):
            counts = {k: run[k] for k in REPORTED_COUNTS if k in run}
            store.end_run(run_id, str(run.get("finished") or ""), str(run["outcome"]), counts)
        report.runs += 1
