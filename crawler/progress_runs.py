"""The figures of the offline commands' progress (replay, export, wacz), read from what each run
updates anyway, by the progress thread (crawler/progress.py's Timer)."""
from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.progress import Figures

COUNT_CHUNK = 1 << 20


@dataclass
class ReplayWatch:
    """What crawler/replay.py keeps up to date: its counters, and the record it is at."""

    stats: Counter[str] = field(default_factory=Counter)
    location: Any = None  # the RecordLocation of the last response read


def file_sizes(paths: Sequence[str]) -> dict[str, int]:
    sizes = {}
    for path in paths:
        try:
            sizes[os.path.abspath(path)] = os.path.getsize(path)
        except OSError:
            continue
    return sizes


def replay_figures(watch: ReplayWatch, sizes: dict[str, int], elapsed: float) -> Figures:
    """Replay's figures; the bytes read are those of the files before the current one (in the
    order given) and the offset in it: the ETA comes from the bytes left."""
    stats = dict(watch.stats)
    done = 0
    location = watch.location
    if location is not None:
        current = os.path.abspath(location.filename)
        for path, size in sizes.items():
            if path == current:
                done += min(location.offset, size)
                break
            done += size
    errors = {"extract": int(stats.get("extract/error", 0))} if stats.get("extract/error") else {}
    return Figures(
        elapsed=elapsed, pages=int(stats.get("downloader/response_count", 0)),
        articles=int(stats.get("items/written", 0)),
        duplicates={kind: int(stats.get("dedupe/" + kind, 0)) for kind in ("exact", "near", "url")},
        not_articles=int(stats.get("extract/not_article", 0)), errors=errors, bytes=done,
        done=done, total=float(sum(sizes.values())), unit="bytes",
    )


class LineCount:
    """The lines of some files, counted in a thread of its own while the command runs: the
    export's total, known soon after it starts, without making it wait."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        self.total: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count, name="progress-lines", daemon=True)

    def start(self) -> LineCount:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _count(self) -> None:
        lines = 0
        for path in self.paths:
            try:
                with open(path, "rb") as fh:
                    while not self._stop.is_set():
                        chunk = fh.read(COUNT_CHUNK)
                        if not chunk:
                            break
                        lines += chunk.count(b"\n")
            except OSError:
                continue  # export says what it cannot read
        if not self._stop.is_set():
            self.total = lines


def export_figures(report: Any, lines: LineCount, elapsed: float) -> Figures:
    """Export's figures from its MergeReport: item lines read of all (the ETA), then articles out."""
    reading = report.articles == 0
    return Figures(elapsed=elapsed, phase="reading item lines" if reading else "writing articles",
                   pages=0, articles=int(report.kept), errors={"unreadable_line": report.unreadable}
                   if report.unreadable else {},
                   done=float(report.lines), total=float(lines.total) if lines.total else None, unit="lines")


def wacz_figures(progress: Any, total: int, elapsed: float, output_size: Callable[[], int]) -> Figures:
    """wacz's figures from archive/wacz.py's WaczProgress: the WARC bytes checked, then the
    package's size against theirs (py-wacz copies them into it)."""
    phase = progress.phase or "listing pages"
    done = progress.done if phase == "checking WARC files" else output_size() if phase == "packaging" else 0
    return Figures(elapsed=elapsed, phase=phase, pages=int(progress.pages), articles=int(progress.pages),
                   errors={"unreadable": progress.problems} if progress.problems else {},
                   bytes=done, done=float(done), total=float(total), unit="bytes")
