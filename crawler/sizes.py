"""Byte counts as people read them (the summary, the progress area): 1000-based, one decimal."""
from __future__ import annotations


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (size, unit)
        size /= 1000
    return "%d B" % size
