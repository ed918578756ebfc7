"""Where a command writes its output (`export -o`, `wacz -o`): atomically, or with one clear error.

A regular file (or a new one) is written to a temporary file beside it and renamed into place
only when complete, so a failure (a full disk, an interrupt) never leaves a partial file and an
existing one stays as it was. `-` is stdout; a device or a FIFO (`/dev/full`, a pipe) is written
directly, as it cannot be renamed onto. Any failure to write is an `OutputError` naming the
target and the cause: exit 1, one line.
"""
from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from archive.exceptions import ArchiveError
from archive.writes import temporary_beside

STDOUT = "-"


class OutputError(ArchiveError):
    """An output that could not be written (exit 1)."""

    def __init__(self, target: str, cause: OSError | str) -> None:
        reason = cause if isinstance(cause, str) else (cause.strerror or str(cause))
        super().__init__("cannot write %s: %s" % ("stdout" if target == STDOUT else target, reason))


class OutputFile:
    """A binary output whose write errors are `OutputError`s naming the target (a broken pipe
    stays itself: `export | head` is normal)."""

    def __init__(self, fh: BinaryIO, target: str) -> None:
        self._fh = fh
        self.target = target

    def write(self, data: bytes) -> None:
        try:
            self._fh.write(data)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise OutputError(self.target, err) from err

    def flush(self) -> None:
        try:
            self._fh.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            raise OutputError(self.target, err) from err


def is_direct(target: str) -> bool:
    """True for stdout, a device or a FIFO (written in place); False for a regular file or a new
    name. A directory, or a target in a folder that is not there, is an `OutputError`."""
    if target == STDOUT:
        return True
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            raise OutputError(target, "there is no folder %s" % parent) from None
        return False
    except OSError as err:
        raise OutputError(target, err) from err
    if stat.S_ISDIR(mode):
        raise OutputError(target, "it is a directory")
    return not stat.S_ISREG(mode)


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@contextmanager
def open_output(target: str) -> Iterator[OutputFile]:
    """A binary file for `target` (see the module's docstring); a regular file appears, whole,
    only if the block ends without an exception."""
    if is_direct(target):
        if target == STDOUT:
            out = OutputFile(sys.stdout.buffer, target)
            yield out
            out.flush()
            return
        try:
            fh = open(target, "wb")
        except OSError as err:
            raise OutputError(target, err) from err
        try:
            yield OutputFile(fh, target)
        except BaseException:
            _close_quietly(fh)
            raise
        _close(fh, target)
        return
    final = os.path.realpath(target)  # a symlink keeps pointing at the file it named
    try:
        temp, fd = temporary_beside(final)
    except OSError as err:
        raise OutputError(target, err) from err
    fh = os.fdopen(fd, "wb")
    try:
        yield OutputFile(fh, target)
        _finish(fh, target)
        _close(fh, target)
        _rename(temp, final, target)
    except BaseException:
        _close_quietly(fh)  # its buffer would fail again: the first error is the one to tell
        _discard(temp)
        raise


@contextmanager
def output_path(target: str) -> Iterator[str]:
    """A path for a writer that wants a file name (py-wacz): beside a regular `target` and renamed
    onto it when the block succeeds; for stdout or a device, a temporary file copied into it.
    An OSError leaving the block is taken for a failure to write the output."""
    direct = is_direct(target)
    if direct:
        with tempfile.TemporaryDirectory(prefix="newsarchive-out-") as folder:
            temp = os.path.join(folder, "output")
            try:
                yield temp
            except OSError as err:
                raise OutputError(target, err) from err
            with open_output(target) as out, open(temp, "rb") as src:
                shutil.copyfileobj(src, out)
        return
    final = os.path.realpath(target)
    try:
        temp, fd = temporary_beside(final)
        os.close(fd)
    except OSError as err:
        raise OutputError(target, err) from err
    try:
        try:
            yield temp
        except OSError as err:
            raise OutputError(target, err) from err
        _rename(temp, final, target)
    except BaseException:
        _discard(temp)
        raise


def _finish(fh: BinaryIO, target: str) -> None:
    """Flush to disk before the rename: else a crash soon after can leave an empty file in place."""
    try:
        fh.flush()
        os.fsync(fh.fileno())
    except OSError as err:
        raise OutputError(target, err) from err


def _close(fh: BinaryIO, target: str) -> None:
    try:
        fh.close()
    except OSError as err:
        raise OutputError(target, err) from err


def _close_quietly(fh: BinaryIO) -> None:
    try:
        fh.close()
    except OSError:
        pass


def _rename(temp: str, final: str, target: str) -> None:
    try:
        os.replace(temp, final)
    except OSError as err:
        raise OutputError(target, err) from err
