"""The run report (`runs/<run-id>.json`: what a run fetched, archived, kept and dropped) and the
summary printed after it. Plain code: replay uses it without loading Scrapy."""
from __future__ import annotations

import logging
import os
import platform
from datetime import datetime
from importlib import metadata
from typing import Any, TextIO

from archive.collection import Collection
from archive.run import RunContext

logger = logging.getLogger(__name__)

VERSIONED = ("newsarchive", "scrapy", "trafilatura", "warcio", "twisted", "lxml")


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
        "items_file": items_path if os.path.exists(items_path) else None,
        "versions": versions(),
        "stats": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(stats.items())},
    }
    report["repaired"] = [
        {"file": os.path.basename(r.path), "records": r.records, "dropped_bytes": r.dropped_bytes}
        for r in ctx.repaired
    ]
    report.update(extra or {})
    return report


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (size, unit)
        size /= 1000
    return "%d B" % size


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join("%s: %d" % kv for kv in sorted(counts.items()) if kv[1])


def wayback_dir(root: str) -> str:
    """pywb serves `<dir>/collections/<name>`: the directory to start `wayback -d` in."""
    root = os.path.abspath(root)
    if os.path.basename(root) == "collections":
        return os.path.dirname(root)
    return "%s  (after: ln -s %s collections)" % (os.getcwd(), root)


def print_summary(report: dict[str, Any], collection: Collection, out: TextIO) -> None:
    """What a person wants to see after a run, and what to try next."""
    duplicates = report.get("duplicates", {})
    errors = report.get("errors", {})
    archive = report.get("archive", {})
    lines = [
        "%s run %s into collection %r (%s), %.1f s" % (
            report.get("kind", "crawl"), report["run"], collection.name, collection.path,
            report.get("duration_s", 0)),
        "  pages fetched     %d  (%s)" % (report.get("responses", 0),
                                          _breakdown(report.get("responses_by_status", {}))),
        "  articles written  %d" % report.get("articles", 0),
        "  duplicates        %d  (%s)" % (sum(duplicates.values()), _breakdown(duplicates) or "none"),
        "  not articles      %d" % report.get("not_articles", 0),
        "  errors            %d  (%s)" % (sum(errors.values()), _breakdown(errors) or "none"),
    ]
    files = archive.get("files", [])
    lines.append("  WARC files        %d, %s" % (len(files), _human(archive.get("bytes", 0))))
    lines += ["    %s  %s" % (os.path.join(collection.archive_dir, f["name"]), _human(f["bytes"]))
              for f in files]
    lines.append("  items             %s" % (report.get("items_file") or "(none this run)"))
    lines.append("  run report        %s" % collection.run_report_path(report["run"]))
    root = collection.root
    lines += [
        "next:",
        "  newsarchive export %s --root %s -o %s.jsonl" % (collection.name, root, collection.name),
        "  newsarchive replay %s --root %s --collection %s-replay" % (collection.name, root, collection.name),
        "  wayback -d %s -b 127.0.0.1    # then browse http://127.0.0.1:8080/%s/" % (
            wayback_dir(root), collection.name),
    ]
    out.write("\n".join(lines) + "\n")
