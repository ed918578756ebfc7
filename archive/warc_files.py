"""Which files hold WARC (or ARC) records: finding them below directories, telling them apart."""
from __future__ import annotations

import os
from collections.abc import Iterable

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
ARC_SUFFIXES = (".arc", ".arc.gz")


def find_warc_files(paths: Iterable[str]) -> list[str]:
    """Expand directories into the WARC files below them, in name order."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for dirpath, _dirs, files in sorted(os.walk(path)):
                found.extend(
                    os.path.join(dirpath, f) for f in sorted(files) if f.endswith(WARC_SUFFIXES)
                )
        else:
            found.append(path)
    return found


def known_format(path: str) -> str | None:
    """The record format to insist on: None lets warcio take ARC records too."""
    # warcio takes any line of five words for an ARC header: only .arc files may hold ARC
    return None if path.lower().endswith(ARC_SUFFIXES) else "warc"
