"""The crawl's frontier on disk (Scrapy's JOBDIR), checked before a resumed crawl starts.

Scrapy saves its request queues as it goes and their index (`requests.queue/active.json`) only
when the spider closes; a full disk or a kill leaves that index empty, garbage or missing beside
the queue files, or a queue file cut short, and Scrapy's scheduler then dies at start or
resumes a frontier it cannot read. Such a frontier is rebuilt: dropped with the seen-requests
filter, so the resumed crawl starts again from its seeds and the store's known-articles check
skips what is already archived.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import closing

from scrapy.pqueues import _path_safe  # how Scrapy names a download slot's queue folder

from crawler.dupefilter import SEEN_FILE

QUEUE_DIR = "requests.queue"
STATE_FILE = "active.json"
_SIZE = struct.Struct(">L")  # queuelib's record length and count fields


def queue_damage(jobdir: str) -> str | None:
    """What is wrong with the saved frontier, naming the file; None if it is sound or there is none."""
    queue_dir = os.path.join(jobdir, QUEUE_DIR)
    if not os.path.isdir(queue_dir):
        return None
    state_path = os.path.join(queue_dir, STATE_FILE)
    if not os.path.exists(state_path):
        if any(_queue_files(queue_dir)):
            return "%s is missing: the run that saved the queue did not close it" % state_path
        return None
    try:
        with open(state_path, "rb") as fh:
            state = json.loads(fh.read() or b"null")
    except (OSError, ValueError) as err:
        return "%s is unreadable (%s)" % (state_path, err)
    try:
        queues = list(_queues_of(queue_dir, state))
    except _Garbage:
        return "%s holds no queue state" % state_path
    for folder, priority in queues:
        for name in (str(priority), "%ds" % priority):
            # SCHEDULER_DISK_QUEUE decides the shape: a LIFO queue is a file, a FIFO queue a folder
            path = os.path.join(folder, name)
            damage = _fifo_damage(path) if os.path.isdir(path) else _lifo_damage(path)
            if damage:
                return damage
    return None


def seen_damage(jobdir: str) -> str | None:
    """What is wrong with the seen-requests filter, naming the file; None if it is sound or absent."""
    path = os.path.join(jobdir, SEEN_FILE)
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    try:
        with closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as err:
        return "%s is unusable (%s)" % (path, err)
    return None if verdict == "ok" else "%s is damaged (%s)" % (path, verdict)


def rebuild(jobdir: str) -> None:
    """Drop the saved frontier and the seen requests: the crawl starts again from its seeds."""
    shutil.rmtree(os.path.join(jobdir, QUEUE_DIR), ignore_errors=True)
    forget_seen(jobdir)


def forget_seen(jobdir: str) -> None:
    """Drop the seen-requests filter, so that pages counted as seen may be fetched again."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(os.path.join(jobdir, SEEN_FILE + suffix))
        except FileNotFoundError:
            pass


def _queue_files(queue_dir: str) -> Iterator[str]:
    for folder, _, names in os.walk(queue_dir):
        for name in names:
            if name != STATE_FILE:
                yield os.path.join(folder, name)


def _queues_of(queue_dir: str, state: object) -> Iterator[tuple[str, int]]:
    """(folder, priority) of each queue the state lists: per download slot (Scrapy's default
    DownloaderAwarePriorityQueue) or in the folder itself (ScrapyPriorityQueue)."""
    if isinstance(state, dict):
        for slot, priorities in state.items():
            for priority in _priorities(priorities):
                yield os.path.join(queue_dir, _path_safe(str(slot))), priority
    else:
        for priority in _priorities(state):
            yield queue_dir, priority


def _priorities(value: object) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(p, int) for p in value):
        raise _Garbage()
    return value


class _Garbage(ValueError):
    """The state file parses as JSON but is not a queue state."""


def _lifo_damage(path: str) -> str | None:
    """A LIFO queue file (a count, then each record followed by its length) that does not add up."""
    try:
        with open(path, "rb") as fh:
            end = fh.seek(0, os.SEEK_END)
            if end < _SIZE.size:
                return "%s is cut short (%d bytes)" % (path, end)
            fh.seek(0)
            (count,) = _SIZE.unpack(fh.read(_SIZE.size))
            records, position = 0, end
            while position > _SIZE.size:
                if position - _SIZE.size < _SIZE.size:
                    return "%s is cut short inside a request" % path
                fh.seek(position - _SIZE.size)
                (size,) = _SIZE.unpack(fh.read(_SIZE.size))
                position -= _SIZE.size + size
                records += 1
    except FileNotFoundError:
        return None
    except OSError as err:
        return "%s is unreadable (%s)" % (path, err.strerror or err)
    if position != _SIZE.size:
        return "%s is cut short inside a request" % path
    if records != count:
        return "%s holds %d requests but says %d" % (path, records, count)
    return None


def _fifo_damage(folder: str) -> str | None:
    """A FIFO queue folder (info.json and chunk files of length-prefixed records) that does not add up."""
    info_path = os.path.join(folder, "info.json")
    if not os.path.isdir(folder):
        return None
    try:
        with open(info_path, "rb") as fh:
            info = json.loads(fh.read())
        chunk_size, size = int(info["chunksize"]), int(info["size"])
        (head, head_count), (tail, tail_count, _) = info["head"], info["tail"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        return "%s is unreadable (%s)" % (info_path, err)
    held = 0
    for number in range(tail, head + 1):
        path = os.path.join(folder, "q%05d" % number)
        expected = head_count if number == head else chunk_size
        try:
            records = _fifo_records(path)
        except FileNotFoundError:
            records = 0
        if records is None:
            return "%s is cut short inside a request" % path
        if records != expected:
            return "%s holds %d requests but %s says %d" % (path, records, info_path, expected)
        held += records
    if held - tail_count != size:
        return "%s says %d requests, its chunks hold %d" % (info_path, size, held - tail_count)
    return None


def _fifo_records(path: str) -> int | None:
    """Records in a FIFO chunk, or None if the last one is cut short."""
    records, position = 0, 0
    with open(path, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        while position < end:
            fh.seek(position)
            field = fh.read(_SIZE.size)
            if len(field) < _SIZE.size:
                return None
            position += _SIZE.size + _SIZE.unpack(field)[0]
            records += 1
    return records if position == end else None
