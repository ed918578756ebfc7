"""A collection on disk, in pywb's layout so `wayback` can replay it as it is."""
from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone

from archive.exceptions import CollectionError
from archive.reader import find_warc_files
from archive.store import Store
from archive.writes import WriteFailed, cut_back, write_all

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SUBDIRS = ("archive", "indexes", "items", "runs", "state")


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique enough for one collection: UTC time to the microsecond."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class Collection:
    """`<root>/<name>/` with archive/, indexes/, items/, runs/, state/."""

    def __init__(self, root: str, name: str) -> None:
        if not NAME_RE.match(name):
            raise CollectionError(
                "invalid collection name %r: use letters, digits, '.', '_' or '-'" % name
            )
        self.root = root
        self.name = name
        self.path = os.path.join(root, name)

    @classmethod
    def open(cls, root: str, name: str) -> Collection:
        """An existing collection; CollectionError naming the path if there is none."""
        coll = cls(root, name)
        if not os.path.isdir(coll.archive_dir):
            raise CollectionError("no collection %r under %s" % (name, os.path.abspath(root)))
        return coll

    @classmethod
    def create(cls, root: str, name: str) -> Collection:
        coll = cls(root, name)
        try:
            for sub in SUBDIRS:
                os.makedirs(os.path.join(coll.path, sub), exist_ok=True)
        except OSError as err:  # a read-only or full disk, a file where a folder should be
            raise CollectionError("cannot create collection %r at %s: %s" % (
                name, err.filename or coll.path, err.strerror or err)) from err
        return coll

    def _sub(self, name: str) -> str:
        return os.path.join(self.path, name)

    @property
    def archive_dir(self) -> str:
        return self._sub("archive")

    @property
    def indexes_dir(self) -> str:
        return self._sub("indexes")

    @property
    def items_dir(self) -> str:
        return self._sub("items")

    @property
    def runs_dir(self) -> str:
        return self._sub("runs")

    @property
    def state_dir(self) -> str:
        return self._sub("state")

    @property
    def store_path(self) -> str:
        return os.path.join(self.state_dir, "store.sqlite")

    def store(self) -> Store:
        return Store(self.store_path)

    def lock(self) -> CollectionLock:
        """Exclusive right to write this collection; CollectionError if another run holds it."""
        return CollectionLock(os.path.join(self.state_dir, "writer.lock"), self.name)

    def warc_files(self) -> list[str]:
        return find_warc_files([self.archive_dir])

    def item_files(self) -> list[str]:
        """Every run's item file, oldest run first (run ids sort by time)."""
        if not os.path.isdir(self.items_dir):
            return []
        names = sorted(n for n in os.listdir(self.items_dir) if n.endswith(".jsonl"))
        return [os.path.join(self.items_dir, n) for n in names]

    def items_path(self, run_id: str) -> str:
        return os.path.join(self.items_dir, run_id + ".jsonl")

    def run_report_path(self, run_id: str) -> str:
        return os.path.join(self.runs_dir, run_id + ".json")

    def write_run_report(self, run_id: str, report: dict[str, object]) -> str:
        """Write `runs/<run-id>.json` whole (through a temporary file); WriteFailed if it cannot be."""
        path = self.run_report_path(run_id)
        tmp = path + ".tmp"
        data = (json.dumps(report, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as err:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise WriteFailed(path, err) from err
        return path


class CollectionLock:
    """An advisory lock (flock) held for one run; the kernel releases it if the process dies."""

    def __init__(self, path: str, name: str) -> None:
        self.path = path
        self.name = name
        self._fd: int | None = None

    def acquire(self) -> CollectionLock:
        """The lock; CollectionError if another run holds it, WriteFailed if it cannot be written
        (a read-only collection: then nothing can be)."""
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise WriteFailed(self.path, err) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise CollectionError(
                "collection %r is being written by another run (pid %s)" % (self.name, holder)
            ) from None
        try:  # who holds it, for the message above; a full disk may refuse even these bytes
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        except OSError as err:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise WriteFailed(self.path, err) from err
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> CollectionLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class ItemWriter:
    """Appends items as JSON lines, each with one write as it comes, so a crash loses at most the last.

    A write that fails (a full disk) is cut back to where its line began, so no torn line is left
    in the middle of the file, and raises `WriteFailed`; the writer takes no more items after that."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self.failure: WriteFailed | None = None
        self._fd: int | None = None
        self._size = 0
        self._torn = False  # the file ends inside a line a crash cut

    def write(self, item: dict[str, object]) -> None:
        if self.failure is not None:
            raise self.failure
        line = (json.dumps(item, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        fd = self._open()
        if self._torn:
            line = b"\n" + line  # end the torn line, or it swallows this item
        try:
            write_all(fd, line, self._size)
        except OSError as err:
            cut_back(fd, self._size, self.path)
            self.failure = WriteFailed(self.path, err)
            raise self.failure from err
        self._size += len(line)
        self._torn = False
        self.count += 1

    def _open(self) -> int:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
                self._size = os.fstat(self._fd).st_size
                self._torn = bool(self._size) and os.pread(self._fd, 1, self._size - 1) != b"\n"
            except OSError as err:
                self.failure = WriteFailed(self.path, err)
                raise self.failure from err
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def iter_items(paths: list[str]) -> Iterator[tuple[str, int, dict[str, object]]]:
    """(file, line number, item) for every well-formed line; a torn last line is skipped."""
    for path in paths:
        with open(path, "rb") as fh:  # bytes: a torn line may end inside a UTF-8 sequence
            for lineno, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    item = json.loads(line)
                except ValueError:  # a line cut by a crash; everything before it is intact
                    continue
                if isinstance(item, dict):
                    yield path, lineno, item
