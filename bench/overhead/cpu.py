"""CPU time of a server process and of every process it started, read from /proc.

A server's CPU per request is a better measure of its own cost than its latency: on a 2-CPU machine shared by the
load generator, the fake upstream and the server, latency also counts the time each waited for the others. The
figure must cover the whole server: its threads (ONNX inference, `asyncio.to_thread`, uvicorn's workers are
processes, not threads) and every worker process it forked. So it is the sum over the process tree of each
process's `utime + stime` (which already include all of that process's threads) plus `cutime + cstime` (the time
of its children that exited and were reaped, so that a worker that ends during a measurement is not lost).
"""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
"""Units of the times in /proc/PID/stat (100 a second on Linux: a reading is good to 10 ms, so measure hundreds
of requests, not a few)."""

PROC = Path("/proc")


def cpu_ticks_of_stat(stat: str) -> int:
    """utime + stime + cutime + cstime from the text of /proc/PID/stat.

    The second field is the command name in parentheses, which may itself hold spaces and parentheses: the fields
    are counted from the last `)`. After it come field 3 (state) onwards, so utime (field 14) is the 12th.
    """
    fields = stat[stat.rindex(")") + 2 :].split()
    return sum(int(value) for value in fields[11:15])


def children_of(pid: int, proc: Path = PROC) -> list[int]:
    """The live child processes of `pid`: any of its threads may have started one, so every task's `children`
    file is read (the kernel lists a child under the thread that forked it)."""
    found: list[int] = []
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def process_tree(pid: int, proc: Path = PROC) -> list[int]:
    """`pid` and all its descendants (breadth first; a process that exits meanwhile is simply not listed)."""
    tree: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop(0)
        if current in tree:
            continue
        tree.append(current)
        pending.extend(children_of(current, proc))
    return tree


def tree_cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """CPU seconds used so far by `pid`, its threads and its descendants (see the module docstring)."""
    ticks = 0
    for member in process_tree(pid, proc):
        try:
            ticks += cpu_ticks_of_stat((proc / str(member) / "stat").read_text())
        except (OSError, ValueError):
            continue  # it exited between the listing and the read; its parent's cutime will hold it once reaped
    return ticks / CLOCK_TICKS
