"""The run report (`runs/<run-id>.json`: what a run fetched, archived, kept and dropped) and the
summary printed after it. Plain code: replay uses it without loading Scrapy."""
from __future__ import annotations

import logging
import os
import platform
import shlex
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from importlib import metadata
from typing import Any, TextIO

from archive.collection import Collection
from archive.index import INDEX_NAME
from archive.run import Outcome, RepairReport, RunContext
from crawler.commands import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK
from crawler.sizes import human_bytes
from pipelines.site_figures import nothing_because, read_items, site_figures, site_table

logger = logging.getLogger(__name__)

VERSIONED = ("newsarchive", "scrapy", "trafilatura", "warcio", "twisted", "lxml")
# the counts of page requisites (crawler/requisites.py), under "requisites/" in the stats
REQUISITE_COUNTS = ("requested", "archived", "bytes", "not_modified", "too_big", "page_cap", "hop_cap", "failed")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "unknown"
    return found


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


def build_report(ctx: RunContext, stats: dict[str, Any], kind: str, finished: datetime,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run report: a stable, documented shape over the raw counters (kept under `stats`)."""
    run_files = [
        {"name": name, "bytes": os.path.getsize(os.path.join(ctx.collection.archive_dir, name))}
        for name in stats.get("archive/run_files", [])
    ]
    items_path = ctx.collection.items_path(ctx.run_id)
    report = {
        "run": ctx.run_id,
        "kind": kind,
        "collection": ctx.collection.name,
        "started": ctx.started.isoformat(),
        "finished": finished.isoformat(),
        "duration_s": round((finished - ctx.started).total_seconds(), 3),
        "finish_reason": stats.get("finish_reason", "finished"),
        "requests": int(stats.get("downloader/request_count", 0)),
        "responses": int(stats.get("downloader/response_count", 0)),
        "responses_by_status": _prefixed(stats, "downloader/response_status_count/"),
        "articles": int(stats.get("items/written", 0)),
        "duplicates": _prefixed(stats, "dedupe/"),
        "not_articles": int(stats.get("extract/not_article", 0)),
        "not_article_reasons": _prefixed(stats, "extract/reason/"),
        "errors": {
            "fetch": int(stats.get("fetch/errors", 0)),
            "extract": int(stats.get("extract/error", 0)),
            "logged": int(stats.get("log_count/ERROR", 0)),
        },
        "archive": {
            "records": int(stats.get("archive/records", 0)),
            "responses": int(stats.get("archive/responses", 0)),
            "bytes": sum(f["bytes"] for f in run_files),
            "files": run_files,
        },
        "requisites": {name: int(stats.get("requisites/" + name, 0)) for name in REQUISITE_COUNTS},
        "items_file": items_path if os.path.exists(items_path) else None,
        "versions": versions(),
        "stats": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(stats.items())},
    }
    report["repair"] = ctx.repair.to_dict()
    report["sites"] = _sites(ctx, stats, items_path, kind)
    reason = nothing_because(stats)
    if reason is not None:
        report["nothing_because"] = reason
    report.update(extra or {})
    report["outcome"] = str(outcome_of(report))
    return report


def _sites(ctx: RunContext, stats: dict[str, Any], items_path: str, kind: str) -> dict[str, Any]:
    """Per-site figures: the items file read back (streaming), the store's outcomes of the run
    and the crawl's `sites/...` counters (pipelines/site_figures.py)."""
    items: Any = ()
    if os.path.exists(items_path):
        items = read_items(items_path)
    try:
        return site_figures(items, ((url, kind_, detail) for url, kind_, detail, _ in
                                    ctx.store.run_outcomes(ctx.run_id)),
                            stats, pages_from_outcomes=kind == "replay")
    except (OSError, sqlite3.Error) as err:  # the run is archived: its report goes out without them
        logger.error("per-site figures left out of the run report: cannot read %s: %s",
                     items_path if isinstance(err, OSError) else ctx.store.path, err)
        return {}


def outcome_of(report: Mapping[str, Any]) -> Outcome:
    """A run stopped by Ctrl-C or SIGTERM is interrupted; a crawl that fetched nothing and a replay
    that met unreadable data failed (their exit code is 1); any other run finished."""
    if report.get("finish_reason") in ("shutdown", "cancelled"):
        return Outcome.INTERRUPTED
    if report.get("kind") == "crawl" and not report.get("responses"):
        return Outcome.FAILED
    if report.get("problems"):
        return Outcome.FAILED
    return Outcome.FINISHED


EXIT_CODES = {Outcome.FINISHED: EXIT_OK, Outcome.FAILED: EXIT_FAILURE, Outcome.INTERRUPTED: EXIT_INTERRUPTED}


def exit_code(report: Mapping[str, Any]) -> int:
    """The command's exit code for a run that wrote its report: 0, 1, or 130 if interrupted."""
    return EXIT_CODES.get(Outcome.of(report.get("outcome")), EXIT_FAILURE)


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join("%s: %d" % kv for kv in sorted(counts.items()) if kv[1])


def wayback_dir(root: str) -> str:
    """pywb serves `<dir>/collections/<name>`: the directory to start `wayback -d` in."""
    root = os.path.abspath(root)
    if os.path.basename(root) == "collections":
        return os.path.dirname(root)
    return "%s  (after: ln -s %s collections)" % (os.getcwd(), root)


def resume_command(collection: Collection, seeds: list[str], allow_private: bool = False) -> str:
    """The command line that continues an interrupted crawl where it stopped."""
    return shlex.join(["newsarchive", "crawl", *seeds, "--collection", collection.name, "--root", collection.root,
                       *(["--allow-private"] if allow_private else []), "--resume"])


def _repair_line(repair: Mapping[str, Any]) -> list[str]:
    """What putting the collection right did before the run, if anything."""
    files = repair.get("files") or []
    parts = []
    if files:
        parts.append("%d WARC file(s) left open closed: %d records kept, %s dropped" % (
            len(files), sum(f["records"] for f in files), human_bytes(sum(f["dropped_bytes"] for f in files))))
    if repair.get("index_lines_added"):
        parts.append("%d index lines added" % repair["index_lines_added"])
    if repair.get("interrupted_runs"):
        parts.append("run(s) that did not end marked interrupted: %s" % ", ".join(repair["interrupted_runs"]))
    if repair.get("index_error"):
        parts.append("the index could not be completed (%s); `newsarchive index` rebuilds it" % repair["index_error"])
    return ["  repaired          %s" % "; ".join(parts)] if parts else []


def repair_lines(repair: RepairReport, collection: Collection) -> list[str]:
    """`newsarchive repair`'s account of what it did."""
    lines = ["%s: kept %d records (%d bytes), dropped %d bytes" % (r.path, r.records, r.kept_bytes, r.dropped_bytes)
             for r in repair.files]
    lines.append("repaired %d open WARC file(s) in %s" % (len(repair.files), collection.archive_dir))
    index = os.path.join(collection.indexes_dir, INDEX_NAME)
    lines.append("added %d lines to %s" % (repair.index_lines_added, index))
    if repair.index_error:
        lines.append("could not complete the index: %s (`newsarchive index %s` rebuilds it)" % (
            repair.index_error, collection.name))
    lines.append("marked %d run(s) that did not end interrupted%s" % (
        len(repair.interrupted_runs), ": " + ", ".join(repair.interrupted_runs) if repair.interrupted_runs else ""))
    return lines


def _crawl_lines(report: Mapping[str, Any], collection: Collection) -> list[str]:
    duplicates = report.get("duplicates", {})
    errors = report.get("errors", {})
    archive = report.get("archive", {})
    files = archive.get("files", [])
    responses = int(report.get("responses", 0))
    requisites = int((report.get("requisites") or {}).get("archived", 0))  # counted on their own line
    by_status = _breakdown(report.get("responses_by_status", {}))
    return [
        "  pages fetched     %d  (%s)" % (responses - requisites, by_status if not requisites else
                                          "all %d responses: %s" % (responses, by_status)),
        "  articles written  %d" % report.get("articles", 0),
        "  duplicates        %d  (%s)" % (sum(duplicates.values()), _breakdown(duplicates) or "none"),
        "  not articles      %d" % report.get("not_articles", 0),
        "  errors            %d  (%s)" % (sum(errors.values()), _breakdown(errors) or "none"),
        *_requisite_line(report.get("requisites") or {}),
        "  WARC files        %d, %s" % (len(files), human_bytes(archive.get("bytes", 0))),
        *["    %s  %s" % (os.path.join(collection.archive_dir, f["name"]), human_bytes(f["bytes"])) for f in files],
    ]


def _requisite_line(counts: Mapping[str, int]) -> list[str]:
    """One line when any requisite was fetched or a cap was hit (a crawl with --no-requisites has none)."""
    caps = {"per page": counts.get("page_cap", 0), "hops": counts.get("hop_cap", 0),
            "size": counts.get("too_big", 0)}
    if not counts.get("archived") and not any(caps.values()):
        return []
    notes = ["%d not modified" % counts["not_modified"]] if counts.get("not_modified") else []
    if counts.get("failed"):
        notes.append("%d failed" % counts["failed"])
    if any(caps.values()):
        notes.append("caps hit: " + _breakdown(caps))
    return ["  requisites        %d archived, %s%s" % (counts.get("archived", 0), human_bytes(counts.get("bytes", 0)),
                                                     "  (%s)" % "; ".join(notes) if notes else "")]


def _replay_lines(report: Mapping[str, Any]) -> list[str]:
    stats = report.get("stats", {})
    duplicates = report.get("duplicates", {})
    skipped = {k[len("replay/skipped/"):]: int(v) for k, v in stats.items() if k.startswith("replay/skipped/")}
    return [
        "  WARC files read   %d  (%d records)" % (stats.get("replay/files", 0), stats.get("replay/records", 0)),
        "  responses         %d replayed  (%s)" % (report.get("responses", 0),
                                                   _breakdown(report.get("responses_by_status", {})) or "none"),
        "  revisits          %d  (replayed with their original's body)" % stats.get("replay/revisits", 0),
        "  records skipped   %d  (%s)" % (sum(skipped.values()), _breakdown(skipped) or "none"),
        "  unreadable data   %d%s" % (stats.get("replay/unreadable", 0),
                                      "  (each named above)" if stats.get("replay/unreadable") else ""),
        *_read_lines(report),
        "  articles written  %d" % report.get("articles", 0),
        "  duplicates        %d  (%s)" % (sum(duplicates.values()), _breakdown(duplicates) or "none"),
        "  not articles      %d" % report.get("not_articles", 0),
        "  extract errors    %d" % report.get("errors", {}).get("extract", 0),
    ]


def _read_lines(report: Mapping[str, Any]) -> list[str]:
    """What reading found beyond the counts above: bytes skipped, records read
    despite their Content-Length, the payload digests' verdicts."""
    read = report.get("read") or {}
    digests = read.get("payload_digests") or {}
    mismatches = read.get("digest_mismatches") or []
    lines = []
    if read.get("skipped_stretches"):
        lines.append("  bytes skipped     %d  (in %d unreadable stretch(es), each named above)" % (
            read.get("skipped_bytes", 0), len(read["skipped_stretches"])))
    if read.get("misframed_records"):
        lines.append("  bad lengths       %d  (records whose Content-Length is off, read whole)"
                     % len(read["misframed_records"]))
    lines.append("  payload digests   %d checked: %d match, %d MISMATCH%s; %d unchecked, %d without one" % (
        digests.get("match", 0) + digests.get("mismatch", 0), digests.get("match", 0), len(mismatches),
        " (each named above; replayed all the same)" if mismatches else "", digests.get("unchecked", 0),
        digests.get("absent", 0)))
    return lines


def _next_lines(report: Mapping[str, Any], collection: Collection) -> list[str]:
    name, root = collection.name, collection.root
    export = "  newsarchive export %s --root %s -o %s.jsonl" % (name, root, name)
    if report.get("kind") == "replay":  # replay writes items, no WARC: nothing new to browse
        return ["next:", export]
    return [
        "next:",
        export,
        "  newsarchive replay %s --root %s --collection %s-replay" % (name, root, name),
        "  wayback -d %s -b 127.0.0.1    # then browse http://127.0.0.1:8080/%s/" % (wayback_dir(root), name),
    ]


def print_summary(report: Mapping[str, Any], collection: Collection, out: TextIO) -> None:
    """What a person wants to see after a run, and what to try next."""
    kind = report.get("kind", "crawl")
    outcome = Outcome.of(report.get("outcome"))
    lines = ["%s run %s into collection %r (%s), %.1f s%s" % (
        kind, report["run"], collection.name, collection.path, report.get("duration_s", 0),
        "" if outcome is Outcome.FINISHED else ": %s" % outcome.upper())]
    lines += _repair_line(report.get("repair") or {})
    lines += _replay_lines(report) if kind == "replay" else _crawl_lines(report, collection)
    if report.get("nothing_because"):
        lines.append("  nothing written   %s" % report["nothing_because"])
    lines += site_table(report.get("sites") or {})
    lines.append("  items             %s" % (report.get("items_file") or "(none this run)"))
    report_error = report.get("report_error")  # set by a crawl whose report could not be written
    lines.append("  run report        %s" % ("could not be written (%s)" % report_error if report_error
                                             else collection.run_report_path(report["run"])))
    if outcome is Outcome.INTERRUPTED and kind == "crawl":
        lines += ["interrupted: what was fetched is archived; continue where it stopped (with this run's other "
                  "options) with",
                  "  " + resume_command(collection, list(report.get("seeds", [])), bool(report.get("allow_private")))]
    lines += _next_lines(report, collection)
    out.write("\n".join(lines) + "\n")


def print_unfinished(collection: Collection, run_id: str, seeds: list[str], allow_private: bool,
                     out: TextIO) -> None:
    """For a crawl stopped before it could end its run (Ctrl-C or SIGTERM twice): no report, no log."""
    out.write("\n".join([
        "crawl run %s into collection %r (%s): STOPPED before it could end (stopped twice)" % (
            run_id, collection.name, collection.path),
        "  its open WARC files are closed and indexed by the next run or `newsarchive repair %s --root %s`" % (
            collection.name, collection.root),
        "interrupted: what was fetched is archived; continue where it stopped (with this run's other options) with",
        "  " + resume_command(collection, seeds, allow_private),
    ]) + "\n")
