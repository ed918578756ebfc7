"""The versions of the software that made a record, a run or an item: one lookup for all."""
from __future__ import annotations

import platform
from importlib import metadata

# what a run report lists; the packages are looked up by name, never imported
VERSIONED = ("newsarchive", "scrapy", "trafilatura", "warcio", "twisted", "lxml")


def package_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{dist: package_version(dist) for dist in VERSIONED}}
