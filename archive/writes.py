"""Writes that fail (a full disk, a quota, a read-only or failing device) and how the writers take them.

A writer that meets one cuts its file back to where the failed record or line began, so a file never
holds a torn record in the middle, and raises `WriteFailed`, one line naming the file and the cause.
Whoever called the writer decides what a failure stops (a crawl's components tell their run).
"""
from __future__ import annotations

import errno
import logging
import os
import secrets
import sqlite3

from archive.exceptions import ArchiveError

logger = logging.getLogger(__name__)

# why a run stopped, as Scrapy's finish reason and the run report say it
DISK_FULL, READ_ONLY, WRITE_ERROR = "disk_full", "read_only", "write_error"
_REASONS = {
    errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EFBIG: DISK_FULL,  # EFBIG: a file-size limit
    errno.EROFS: READ_ONLY, errno.EACCES: READ_ONLY, errno.EPERM: READ_ONLY,
    errno.EIO: WRITE_ERROR,
}
# what SQLite says for the same causes (it hides the errno)
_SQLITE_REASONS = (("disk is full", DISK_FULL), ("readonly database", READ_ONLY), ("disk i/o error", WRITE_ERROR),
                   ("unable to open database file", WRITE_ERROR))  # its -wal or -shm file, on a read-only disk

class WriteFailed(ArchiveError):
    """A file of the collection could not be written: `path` and the OS's words for why."""

    def __init__(self, path: str, cause: OSError | str) -> None:
        self.path = path
        self.cause = cause if isinstance(cause, str) else (cause.strerror or str(cause))
        self.errno = None if isinstance(cause, str) else cause.errno
        super().__init__("cannot write %s: %s" % (path, self.cause))

    @property
    def reason(self) -> str:
        """disk_full, read_only or write_error."""
        return _REASONS.get(self.errno or 0, WRITE_ERROR)


def failure_reason(error: BaseException) -> str | None:
    """disk_full, read_only or write_error for an error that is a failed write (ours, the OS's or
    SQLite's); None for any other error."""
    if isinstance(error, WriteFailed):
        return error.reason
    if isinstance(error, OSError) and error.errno in _REASONS:
        return _REASONS[error.errno]
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        for words, reason in _SQLITE_REASONS:
            if words in text:
                return reason
    return None


def as_write_failure(error: BaseException, path: str) -> WriteFailed | None:
    """`error` as a WriteFailed (`path` for the file when the error names none), or None if it is
    not a failed write."""
    reason = failure_reason(error)
    if reason is None:
        return None
    if isinstance(error, WriteFailed):
        return error
    if isinstance(error, OSError):
        return WriteFailed(error.filename or path, error)
    code = {DISK_FULL: errno.ENOSPC, READ_ONLY: errno.EROFS}.get(reason) or device_errno(path)
    return WriteFailed(path, OSError(code, "%s (SQLite: %s)" % (os.strerror(code), error)))


def device_errno(path: str) -> int:
    """Why the device of `path` refuses writes, for an error that does not say (SQLite's "disk I/O
    error" on a full or read-only disk): EROFS, ENOSPC, or EIO when the device looks fine."""
    try:
        device = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return errno.EIO
    if device.f_flag & os.ST_RDONLY:
        return errno.EROFS
    if device.f_bavail == 0:
        return errno.ENOSPC
    return errno.EIO


def write_all(fd: int, data: bytes, offset: int) -> None:
    """Write all of `data` at `offset` (a full disk may take only part of it: the rest raises)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        if written == 0:  # not an error by itself, but nothing more will go
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view, offset = view[written:], offset + written


def cut_back(fd: int, size: int, path: str) -> bool:
    """Truncate the file to `size` (dropping a partial write); False if even that failed."""
    try:
        os.ftruncate(fd, size)
    except OSError as err:
        logger.error("cannot cut %s back to %d bytes after a failed write: %s", path, size, err.strerror or err)
        return False
    return True


def temporary_beside(path: str, kind: str = "part") -> tuple[str, int]:
    """A new file next to `path` (same file system, so renaming it onto `path` is atomic), named
    `.<name>.<random>.<kind>` and opened for writing: its path and descriptor. It gets the mode a
    plain open() would give it (0666 less the umask), not tempfile's 0600: renamed into place it is
    the file others read (pywb running as another user reads the index)."""
    folder, name = os.path.split(path)
    for _ in range(100):
        temp = os.path.join(folder, ".%s.%s.%s" % (name, secrets.token_hex(4), kind))
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside %s" % path)
