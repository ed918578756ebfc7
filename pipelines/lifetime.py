"""Helper processes that die with the process they work for, and leave no temp directory behind.

A command killed by SIGKILL gets no chance to stop its pools: its workers would wait for work
forever, and with them multiprocessing's resource tracker (it lives until the last process that
holds its pipe is gone). So every helper watches its parent and leaves when it is gone.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Callable

__all__ = ["announce_to_forkserver", "exit_when", "exit_with_parent", "pid_gone", "remove_parents_temp_dir_when_gone"]

# Set by the process that starts the extraction forkserver: multiprocessing's pymp-* directory
# of that process (the forkserver's socket lives there), for the forkserver to remove when its
# parent died without removing it itself.
TEMP_DIR_ENV = "NEWSARCHIVE_MP_TEMP_DIR"
PARENT_ENV = "NEWSARCHIVE_MP_PARENT"
WATCH_SECONDS = 0.5  # how often a helper looks whether it is still needed


def exit_when(gone: Callable[[], bool], before_exit: Callable[[], None] | None = None) -> None:
    """Leave at once (os._exit) when `gone()` says the process that needs us has died."""

    def watch() -> None:
        while not gone():
            time.sleep(WATCH_SECONDS)
        if before_exit is not None:
            before_exit()
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def exit_with_parent() -> None:
    """A pool initializer: this process leaves when the process that started it is gone.

    Asks the parent's sentinel (a pipe multiprocessing gives every child it starts), not the
    parent's pid: a parent killed while we were still starting up has already re-parented us."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        exit_when(lambda: not parent.is_alive())
        return
    ppid = os.getppid()
    exit_when(lambda: os.getppid() != ppid)


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def announce_to_forkserver(temp_dir: str) -> None:
    """In the process that starts a forkserver: tell it who we are and where our temp dir is
    (it is started from our environment, after this)."""
    os.environ[PARENT_ENV] = str(os.getpid())
    os.environ[TEMP_DIR_ENV] = temp_dir


def remove_parents_temp_dir_when_gone() -> None:
    """In a forkserver: leave when the process that started us is gone, and remove its pymp-*
    directory (TEMP_DIR_ENV), whether we leave by our watch or because it closed our pipe."""
    try:
        parent = int(os.environ.get(PARENT_ENV, ""))
    except ValueError:
        parent = os.getppid()
    temp_dir = os.environ.get(TEMP_DIR_ENV, "")

    def gone() -> bool:  # by the pid the parent gave: it may be gone before we got here
        return os.getppid() != parent

    def remove() -> None:
        # the pipe closes as the parent exits, a moment before the kernel re-parents us; a
        # parent that is still there removes its directory itself as it exits
        deadline = time.monotonic() + 5.0
        while not gone() and time.monotonic() < deadline:
            time.sleep(0.05)
        if gone() and os.path.basename(temp_dir).startswith("pymp-"):
            shutil.rmtree(temp_dir, ignore_errors=True)

    atexit.register(remove)
    exit_when(gone, before_exit=remove)
