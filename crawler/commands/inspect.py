"""`newsarchive inspect COLLECTION URL`: everything the collection knows of one URL.

Every capture of it (time, status, kind: response, revisit of an identical payload, or 304
revisit; WARC file and offset), its item with every version, the URLs that are aliases of it
(and what it is an alias of), and for each capture what became of it (the store's outcomes:
written, duplicate of what, not an article and why, skipped, error).

Captures are read from the WARC files themselves, not from indexes/index.cdxj: the index leaves
out 304 revisits (a replay would show them as empty pages). That reads every WARC file of the
collection once (seconds per GB); items are read from the item files, only the lines that name
the URL being parsed. A store rebuilt with `repair --rebuild-store` has no outcomes for the runs
before it was rebuilt: their captures then show none.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.collection import Collection
from crawler.commands import EXIT_FAILURE, EXIT_OK, add_root, open_collection

HELP = "every capture of one URL, its item and versions, and why a capture made no item"
TEXT_EXCERPT = 300  # characters of the item's text shown in the readable output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("collection", metavar="COLLECTION", help="collection name or path")
    parser.add_argument("url", metavar="URL", help="the URL, as fetched or canonical")
    add_root(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object, for a machine")


@dataclass
class Capture:
    time: str
    status: int | None
    kind: str  # "response", "revisit" (identical payload) or "304 revisit"
    url: str  # as archived (WARC-Target-URI)
    file: str
    offset: int
    refers_to: str | None = None  # a revisit's original: "URL at DATE"
    truncated: str | None = None
    outcome: dict[str, Any] | None = None  # what the run that captured it made of it


@dataclass
class Inspection:
    url: str  # as given
    canonical: str
    captures: list[Capture] = field(default_factory=list)
    item: dict[str, Any] | None = None  # its latest version
    item_url: str | None = None  # the item's URL (another when `url` is an alias of it)
    versions: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[dict[str, str]] = field(default_factory=list)  # URLs that lead to it
    alias_of: dict[str, str] | None = None
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # those matched to no capture
    notes: list[str] = field(default_factory=list)  # what could not be read

    @property
    def seen(self) -> bool:
        return bool(self.captures or self.item or self.aliases or self.alias_of or self.outcomes)


def run(args: argparse.Namespace) -> int:
    collection = open_collection(args.collection, args.root)
    found = inspect_url(collection, args.url)
    if not found.seen:
        print("newsarchive inspect: %s was never seen in collection %s (no capture, item, alias or outcome)"
              % (args.url, collection.name), file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        print(json.dumps(asdict(found), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(readable(found, collection))
    return EXIT_OK


def inspect_url(collection: Collection, url: str) -> Inspection:
    from pipelines.canonical import InvalidURL, canonicalize

    try:
        canonical = canonicalize(url)
    except InvalidURL:
        canonical = url  # matched as given only
    found = Inspection(url, canonical)
    forms = {url, canonical}
    found.captures = _captures(collection, forms, canonical, found.notes)
    _from_store(collection, found, forms)
    target = found.alias_of["url"] if found.alias_of else None
    for item_url in (canonical, url, target):
        if item_url and not found.versions:
            found.versions = _versions(collection, item_url)
            found.item_url = item_url if found.versions else None
    if found.versions:
        found.item = found.versions[-1]
    return found


def _captures(collection: Collection, forms: set[str], canonical: str, notes: list[str]) -> list[Capture]:
    from archive.records import HTTP_RECORDS, RecordEntry
    from archive.response_iterator import iter_records
    from pipelines.canonical import InvalidURL, canonicalize

    captures: list[Capture] = []
    for path in collection.warc_files():
        unreadable = 0
        # max_payload 0: the payloads are read past, not kept; the headers say all
        for entry in iter_records(path, max_payload=0):
            if not isinstance(entry, RecordEntry):
                unreadable += 1
                continue
            if entry.rec_type not in HTTP_RECORDS:
                continue
            target = entry.warc("WARC-Target-URI")
            if target not in forms:
                try:
                    if canonicalize(target) != canonical:
                        continue
                except InvalidURL:
                    continue
            captures.append(_capture(entry, target, os.path.basename(path)))
        if unreadable:
            notes.append("%s: %d unreadable stretch(es) skipped" % (os.path.basename(path), unreadable))
    captures.sort(key=lambda c: (c.time, c.file, c.offset))
    return captures


def _capture(entry: Any, target: str, filename: str) -> Capture:
    try:
        status = int(entry.http.get_statuscode()) if entry.http is not None else None
    except (TypeError, ValueError):
        status = None
    kind = "response"
    refers_to = None
    if entry.rec_type == "revisit":
        not_modified = "server-not-modified" in entry.warc("WARC-Profile") or status == 304
        kind = "304 revisit" if not_modified else "revisit"
        original = entry.warc("WARC-Refers-To-Target-URI")
        if original:
            refers_to = "%s at %s" % (original, entry.warc("WARC-Refers-To-Date") or "?")
    return Capture(time=entry.warc("WARC-Date"), status=status, kind=kind, url=target, file=filename,
                   offset=entry.offset, refers_to=refers_to, truncated=entry.warc("WARC-Truncated") or None)


def _from_store(collection: Collection, found: Inspection, forms: set[str]) -> None:
    """Outcomes and aliases from the store (none if the collection has no store yet)."""
    import sqlite3

    from archive.exceptions import ArchiveError
    from archive.store import Store

    if not os.path.exists(collection.store_path):
        found.notes.append("the collection has no store yet: no outcomes or aliases")
        return
    try:
        with Store(collection.store_path) as store:
            outcomes = [o for form in sorted(forms) for o in store.outcomes_of(form)]
            entries = store.alias_entries(found.canonical)
    except (ArchiveError, sqlite3.Error) as err:
        found.notes.append("store not read: %s" % err)
        return
    at = {(c.file, c.offset): c for c in found.captures}
    for outcome in outcomes:
        file, _, offset = str(outcome.get("warc") or "").rpartition("#")
        capture = at.get((file, int(offset))) if offset.isdigit() else None
        if capture is not None and capture.outcome is None:
            capture.outcome = outcome
        else:
            found.outcomes.append(outcome)
    found.aliases = [e for e in entries if e["url"] == found.canonical]
    found.alias_of = next((e for e in entries if e["alias"] == found.canonical), None)


def _versions(collection: Collection, url: str) -> list[dict[str, Any]]:
    """Every item line of `url` in the item files, oldest run first (export keeps the last)."""
    needle = json.dumps(url, ensure_ascii=False).encode("utf-8")  # as the line spells it
    versions = []
    for path in collection.item_files():
        with open(path, "rb") as fh:
            for line in fh:
                if needle not in line:  # most lines: no need to parse them
                    continue
                try:
                    item = json.loads(line)
                except ValueError:  # a line cut by a crash
                    continue
                if isinstance(item, dict) and item.get("url") == url:
                    versions.append(item)
    return versions


def readable(found: Inspection, collection: Collection) -> str:
    out = ["%s in collection %s" % (found.url, collection.name)]
    if found.canonical != found.url:
        out.append("  canonical: %s" % found.canonical)
    out.append("")
    out.append("captures: %d" % len(found.captures))
    for c in found.captures:
        out.append("  %s  %s  %-11s %s#%d%s" % (c.time, c.status if c.status is not None else "-", c.kind, c.file,
                                               c.offset, "" if c.url == found.url else "  (as %s)" % c.url))
        if c.refers_to:
            out.append("      same as %s" % c.refers_to)
        if c.truncated:
            out.append("      truncated: %s" % c.truncated)
        out.append("      -> %s" % (_said(c.outcome) if c.outcome else _no_outcome(c)))
    for outcome in found.outcomes:
        out.append("  outcome without a capture here: run %s: %s" % (outcome["run"], _said(outcome)))
    out.append("")
    if found.item is not None:
        item = found.item
        out.append("item: %s%s" % (found.item_url, "" if found.item_url == found.canonical else
                                   "  (%s is an alias of it)" % found.canonical))
        for name in ("title", "authors", "published", "modified", "language", "site_name", "word_count"):
            out.append("  %-10s %s" % (name + ":", _shown(item.get(name))))
        text = " ".join(str(item.get("text") or "").split())
        out.append("  text:      %s" % (text[:TEXT_EXCERPT] + ("…" if len(text) > TEXT_EXCERPT else "")))
        out.append("  versions: %d" % len(found.versions))
        for v in found.versions:
            where = v.get("warc")
            warc = where if isinstance(where, dict) else {}
            out.append("    v%s  run %s  fetched %s  %s  %s#%s" % (
                v.get("version", 1), v.get("run"), v.get("fetched_at"), v.get("content_hash"),
                warc.get("filename"), warc.get("offset")))
    else:
        out.append("item: none")
    if found.alias_of is not None:
        out.append("alias of: %s (%s, run %s)" % (found.alias_of["url"], found.alias_of["reason"],
                                                  found.alias_of["run"]))
    if found.aliases:
        out.append("aliases: %d" % len(found.aliases))
        for e in found.aliases:
            out.append("  %s (%s, run %s)" % (e["alias"], e["reason"], e["run"]))
    for note in found.notes:
        out.append("note: %s" % note)
    return "\n".join(out) + "\n"


def _said(outcome: dict[str, Any]) -> str:
    kind, detail = outcome["kind"], outcome.get("detail") or ""
    if kind == "duplicate" and outcome.get("duplicate_of") == outcome.get("url"):
        return "duplicate (%s): archived already, with the same text" % detail
    if kind == "duplicate":
        return "duplicate (%s) of %s" % (detail, outcome.get("duplicate_of"))
    if kind == "written":
        return "written (%s)" % detail if detail else "written"
    return "%s: %s" % (kind.replace("_", " "), detail) if detail else kind


def _no_outcome(capture: Capture) -> str:
    if capture.kind == "304 revisit":
        return "not modified: nothing to extract (its links were followed from the archived copy)"
    if capture.status is not None and capture.status != 200:
        return "status %d: not a page to extract" % capture.status
    return "no outcome recorded (a feed, a sitemap or a page requisite; or a run before outcomes were " \
           "kept, or a store rebuilt since)"


def _shown(value: object) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
