"""Run a command as a child process and measure its whole process tree: wall, CPU, peak RSS.

CPU is user + system time of the child and of all its descendants, from
`getrusage(RUSAGE_CHILDREN)` deltas around the wait: so nothing else this process has started
may end in between (the site server runs until the benchmark is over). A descendant that its
parent never waits for (a multiprocessing forkserver outlives the process that started it) would
escape that count, so this process makes itself a child subreaper: orphans of the tree become
its children, and it waits for them too. As a cross-check, the CPU of every process seen in the
tree is also read from /proc while sampling (it misses what a process spends in its last 0.1 s).
Peak RSS is the largest sum of VmRSS over the child and all its descendants, sampled from
/proc every 0.1 s (a sampled peak: a spike shorter than that can be missed); peak PSS is the
same sum of proportional set sizes, which counts pages that forked workers share only once.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_EVERY = 0.1
ORPHAN_WAIT_S = 60.0
_PR_SET_CHILD_SUBREAPER = 36
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measurement:
    """What one run of a command cost."""

    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the whole tree
    sampled_cpu_s: float  # the same summed from /proc samples: a lower bound, for a cross-check
    peak_rss_mb: float  # of the whole tree (sum of VmRSS), sampled
    peak_pss_mb: float  # the same from PSS: shared pages of forked workers counted once
    max_processes: int  # the most processes seen in the tree at once
    others_cores: float  # mean cores busy outside the tree meanwhile: other work skews wall times
    peak_rss_by_role: dict[str, float]  # MB: "main", "worker", "forkserver"... (largest of each role)
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in Path("/proc/%d/task/%s/children" % (pid, task)).read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _field_kb(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0  # gone, or a zombie


def rss_kb(pid: int) -> int:
    return _field_kb("/proc/%d/status" % pid, "VmRSS:")


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0


def pss_kb(pid: int) -> int:
    """RSS with shared pages divided among their sharers: forked workers are not counted twice."""
    return _field_kb("/proc/%d/smaps_rollup" % pid, "Pss:")


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.max_processes = 0
        self.ticks: dict[int, int] = {}
        self.peak_by_pid: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids = tree_pids(self.pid)
            rss = {pid: rss_kb(pid) for pid in pids}
            self.peak_kb = max(self.peak_kb, sum(rss.values()))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(pss_kb(p) for p in pids))
            self.max_processes = max(self.max_processes, len(pids))
            for pid in pids:
                self.ticks[pid] = max(self.ticks.get(pid, 0), cpu_ticks(pid))
                self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), rss[pid])
                if pid not in self.roles:
                    self.roles[pid] = "main" if pid == self.pid else _role(pid)
            self.done.wait(SAMPLE_EVERY)

    def peak_by_role(self) -> dict[str, float]:
        peaks: dict[str, float] = {}
        for pid, kb in self.peak_by_pid.items():
            role = self.roles.get(pid, "other")
            peaks[role] = max(peaks.get(role, 0.0), kb / 1024)
        return peaks


def _role(pid: int) -> str:
    """What a descendant is, from its command line: multiprocessing's helpers name themselves."""
    try:
        cmdline = Path("/proc/%d/cmdline" % pid).read_bytes().replace(b"\0", b" ")
        parent = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[1]
        parent_cmdline = Path("/proc/%s/cmdline" % parent).read_bytes()
    except (OSError, IndexError):
        return "other"
    if b"multiprocessing.forkserver" in cmdline:
        return "worker" if b"multiprocessing.forkserver" in parent_cmdline else "forkserver"
    if b"multiprocessing.resource_tracker" in cmdline:
        return "resource tracker"
    return "worker" if b"multiprocessing" in cmdline else "other"


def machine_busy_s() -> float:
    """CPU seconds all cores of the machine have spent busy since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None,
                 log: Path | None = None, timeout: float | None = None) -> Measurement:
    """Run `cmd` to its end (killing its tree after `timeout` s); stderr is also saved to `log`."""
    _become_subreaper()
    ours_before = set(_children(os.getpid()))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu_before, busy_before = _cpu_of_children(), machine_busy_s()
        start = time.monotonic()
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = _Sampler(child.pid)
        sampler.start()
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in reversed(tree_pids(child.pid)):
                _kill(pid)
            returncode = child.wait()
        wall = time.monotonic() - start
        _reap_orphans(ours_before)
        cpu = _cpu_of_children() - cpu_before
        others = max(0.0, machine_busy_s() - busy_before - cpu) / wall if wall else 0.0
        sampler.done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if log is not None:
        log.write_text(stderr, encoding="utf-8")
    return Measurement(returncode, wall, cpu, sum(sampler.ticks.values()) / _TICK, sampler.peak_kb / 1024,
                       sampler.peak_pss_kb / 1024, sampler.max_processes, others, sampler.peak_by_role(),
                       stdout, stderr)


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _reap_orphans(keep: set[int]) -> None:
    """Wait for the tree's orphans (now our children) to end; kill them after ORPHAN_WAIT_S."""
    deadline = time.monotonic() + ORPHAN_WAIT_S
    while orphans := [pid for pid in _children(os.getpid()) if pid not in keep]:
        for pid in orphans:
            if time.monotonic() > deadline:
                _kill(pid)
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.05)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
