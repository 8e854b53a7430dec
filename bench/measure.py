"""Run one child process and measure it: wall time, CPU time, peak memory.

CPU and the largest single-process RSS come from the kernel's own accounting of the child
(``os.wait4``: user + system time and ``ru_maxrss`` of the child and the children it waited for,
such as a worker pool). While the child runs, the memory of its whole process tree is sampled from
/proc every SAMPLE_SECONDS, so a pool's workers count together, twice: the sum of the processes'
RSS (``tree_rss_mib``; ``peak_rss_mib`` is the larger of it and the largest process), which counts
a page shared by several processes (the interpreter, libraries, the mapped MeCab dictionary) once
per process, and the sum of their PSS (``tree_pss_mib``, from smaps_rollup, every PSS_EVERY-th
sample), which divides a shared page among the processes sharing it: the memory the tree takes
from the machine. ``stolen`` is the share of the machine's CPU time the hypervisor gave to other
guests while the child ran (/proc/stat's ``steal``): on a shared virtual machine a step that keeps
both CPUs busy loses more to it than one that keeps one busy, and it varies from minute to minute.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.25
# PSS is read less often: reading a process's smaps_rollup takes about 2 ms with its memory map locked,
# which stalls the crawl's workers while they map or unmap a page's buffers. Read at every RSS sample,
# it slowed a 2,000-page crawl by 5-17%.
PSS_EVERY = 4
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class StepFailed(RuntimeError):
    """A measured command exited with an error."""


@dataclass
class Measured:
    wall: float
    cpu: float                    # user + system seconds of the child and its waited-for children
    max_rss_mib: float            # the largest single process (ru_maxrss)
    tree_rss_mib: float           # the largest sampled sum over the process tree
    tree_pss_mib: float           # the largest sampled sum of proportional set sizes (shared pages divided)
    returncode: int
    stdout: str
    stderr: str
    stolen: float | None = None   # share of the machine's CPU time stolen by the hypervisor meanwhile

    @property
    def peak_rss_mib(self) -> float:
        return max(self.max_rss_mib, self.tree_rss_mib)

    @property
    def cpu_share(self) -> float:
        """CPU seconds per wall second: 1.0 is one core busy throughout."""
        return self.cpu / self.wall if self.wall else 0.0


def run(command: list[str], *, cwd: Path, env: dict | None = None, check: bool = True,
        timeout: float = 3600) -> Measured:
    """Run command to its end; with check, a non-zero exit raises StepFailed with its stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start, ticks = time.perf_counter(), _cpu_ticks()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        peak = _TreeSampler(process.pid)
        peak.start()
        status, usage = _wait(process, timeout)
        wall = time.perf_counter() - start
        stolen = _stolen_share(ticks, _cpu_ticks())
        peak.stop()
        out.seek(0)
        err.seek(0)
        result = Measured(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss_mib=usage.ru_maxrss / 1024,
                          tree_rss_mib=peak.peak / 2**20, tree_pss_mib=peak.peak_pss / 2**20,
                          returncode=os.waitstatus_to_exitcode(status),
                          stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"),
                          stolen=stolen)
    if check and result.returncode != 0:
        raise StepFailed(f"{' '.join(command[:6])} … exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    return result


def _wait(process: subprocess.Popen, timeout: float):
    """Reap the child with wait4 (Popen.wait would discard its resource usage), killing it at the
    timeout. wait4 blocks until the child ends: polling it every 20 ms rounded a 100 ms process's
    wall time up by as much (a start-up measured 101, 122, 143, 163 or 186 ms)."""
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


def _cpu_ticks() -> list[int] | None:
    """The machine's CPU time so far by kind (/proc/stat's first line: user, nice, system, idle,
    iowait, irq, softirq, steal), or None without /proc."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(field) for field in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def _stolen_share(before: list[int] | None, after: list[int] | None) -> float | None:
    if not before or not after or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / sum(spent) if sum(spent) else 0.0


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = self.peak_pss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        samples = 0
        while not self._halt.wait(SAMPLE_SECONDS):
            tree = _tree(self.pid)
            self.peak = max(self.peak, sum(_rss(pid) for pid in tree))
            if samples % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in tree))
            samples += 1

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(_children(current))
    return found


def _children(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:  # gone, or no /proc: the kernel's ru_maxrss still counts
        pass
    return children


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """The process's proportional set size (0 where the kernel has no smaps_rollup)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0
