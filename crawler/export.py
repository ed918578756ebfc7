"""`newsarchive export` (a collection's items, merged across runs) and `newsarchive extract`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import IO, Any

from archive.collection import Collection, iter_items
from archive.wacz import WaczPage, write_wacz
from crawler.cli import EXIT_FAILURE, EXIT_OK, UsageError
from pipelines.canonical import host_of
from pipelines.extract import ArticleExtractor
from pipelines.process import Page, build_item

WARC_FIELDS = ("fetched_at", "warc", "run")


def parse_when(value: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or datetime; a bare date covers its whole day."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end else moment
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("%r is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm)" % value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def item_time(item: dict[str, Any]) -> datetime | None:
    """When the article was published; when it was fetched if the page does not say."""
    for key in ("published", "fetched_at"):
        value = item.get(key)
        if isinstance(value, str) and value:
            try:
                return parse_when(value[:10] if len(value) == 10 else value)
            except UsageError:
                continue
    return None


def select_items(collection: Collection, *, since: datetime | None = None, until: datetime | None = None,
                 sites: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every article once (its latest version), in the order first archived, filtered."""
    latest: dict[str, dict[str, Any]] = {}
    for _path, _line, item in iter_items(collection.item_files()):
        url = item.get("url")
        if isinstance(url, str):
            latest[url] = item  # dicts keep first-insertion order; later runs refresh the value
    wanted_sites = [s.lower().strip(".") for s in sites or []]
    for item in latest.values():
        if wanted_sites:
            host = host_of(str(item["url"]))
            if not any(host == s or host.endswith("." + s) for s in wanted_sites):
                continue
        if since or until:
            when = item_time(item)
            if when is None or (since and when < since) or (until and when > until):
                continue
        yield item


def export_command(args: argparse.Namespace) -> int:
    collection = Collection.open(args.root, args.collection)
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end=True) if args.until else None
    store = collection.store() if args.with_aliases else None
    out: IO[str] = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    count = 0
    try:
        for item in select_items(collection, since=since, until=until, sites=args.site):
            if store is not None:
                item = dict(item, aliases=store.aliases_of(str(item["url"])))
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if args.output:
            out.close()
        if store is not None:
            store.close()
    if args.output:
        print("exported %d articles to %s" % (count, args.output), file=sys.stderr)
    return EXIT_OK


def extract_command(args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as fh:
            body = fh.read()
    except OSError as err:
        print("newsarchive extract: cannot read %s: %s" % (args.file, err.strerror), file=sys.stderr)
        return EXIT_FAILURE
    url = args.url or "file://" + os.path.abspath(args.file)
    extractor = ArticleExtractor()
    extraction = extractor.extract(body, url)
    if extraction.article is None:
        print("newsarchive extract: %s: no article (%s)" % (args.file, extraction.reason), file=sys.stderr)
        return EXIT_FAILURE
    item = build_item(Page(url=url, body=body), extraction, None, extractor.info)
    for name in WARC_FIELDS:
        item.pop(name, None)
    print(json.dumps(item, ensure_ascii=False, indent=2))
    return EXIT_OK


def wacz_command(args: argparse.Namespace) -> int:
    collection = Collection.open(args.root, args.collection)
    output = args.output or collection.name + ".wacz"
    pages = (
        WaczPage(url=str(i["url"]), ts=str(i.get("fetched_at") or ""), title=str(i.get("title") or ""),
                 text=str(i.get("text") or ""))
        for i in select_items(collection)
    )
    count = write_wacz(collection.warc_files(), pages, output, title="newsarchive: %s" % collection.name)
    print("wrote %s: %d WARC files, %d article pages" % (output, len(collection.warc_files()), count))
    return EXIT_OK
