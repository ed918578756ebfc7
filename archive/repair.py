"""Closes WARC files a crashed run left open: keep every complete record, drop the torn tail."""
from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from archive.warc import OPEN_SUFFIX

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Repaired:
    """What repairing one `.open` file did."""

    path: str  # the final name it was closed under
    records: int
    kept_bytes: int
    dropped_bytes: int


def is_complete_record(data: bytes) -> bool:
    """One whole WARC record: version line, headers, a block of Content-Length bytes, CRLFCRLF."""
    if not data.startswith(b"WARC/"):
        return False
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    match = _LENGTH.search(data[:head_end + 2])
    if match is None:
        return False
    return len(data) == head_end + 4 + int(match.group(1)) + 4 and data.endswith(b"\r\n\r\n")


def _gzip_records(fh: BinaryIO) -> Iterator[int]:
    """End offsets of the leading complete gzip members that each hold one whole record."""
    offset = 0
    pending = b""
    while True:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts: list[bytes] = []
        consumed = 0
        while not inflater.eof:
            if not pending:
                pending = fh.read(CHUNK)
                if not pending:
                    return  # the member is cut short
            try:
                parts.append(inflater.decompress(pending))
            except zlib.error:
                return  # garbage where a member should go on
            if inflater.eof:
                consumed += len(pending) - len(inflater.unused_data)
                pending = inflater.unused_data
            else:
                consumed += len(pending)
                pending = b""
        if not is_complete_record(b"".join(parts)):
            return
        offset += consumed
        yield offset


def _plain_records(fh: BinaryIO) -> Iterator[int]:
    offset = 0
    data = fh.read()  # uncompressed output is for tests and small runs
    while offset < len(data):
        head_end = data.find(b"\r\n\r\n", offset)
        if head_end < 0:
            return
        match = _LENGTH.search(data[offset:head_end + 2])
        if match is None:
            return
        end = head_end + 4 + int(match.group(1)) + 4
        if end > len(data) or not is_complete_record(data[offset:end]):
            return
        offset = end
        yield offset


def repair_open_file(open_path: str) -> Repaired:
    """Truncate `open_path` after its last complete record and rename it to its final name."""
    if not open_path.endswith(OPEN_SUFFIX):
        raise ValueError("%s is not an open WARC file" % open_path)
    final = open_path[: -len(OPEN_SUFFIX)]
    size = os.path.getsize(open_path)
    records, good = 0, 0
    with open(open_path, "rb") as fh:
        ends = _gzip_records(fh) if final.endswith(".gz") else _plain_records(fh)
        for end in ends:  # the end of the last complete record is where the file is cut
            records, good = records + 1, end
    with open(open_path, "r+b") as fh:
        fh.truncate(good)
        fh.flush()
        os.fsync(fh.fileno())
    if records == 0:
        os.unlink(open_path)  # not even its warcinfo record survived
        return Repaired(final, 0, 0, size)
    os.replace(open_path, final)
    if size != good:
        logger.warning("repaired %s: kept %d records (%d bytes), dropped a torn tail of %d bytes",
                       final, records, good, size - good)
    return Repaired(final, records, good, size - good)


def repair_directory(directory: str) -> list[Repaired]:
    """Repair every `*.open` WARC in `directory` (only call this while no writer uses it)."""
    if not os.path.isdir(directory):
        return []
    names = sorted(n for n in os.listdir(directory) if n.endswith(OPEN_SUFFIX))
    return [repair_open_file(os.path.join(directory, n)) for n in names]
