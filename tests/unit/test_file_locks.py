"""SQLite-mode session locks: a byte of one file per session, exclusive across the processes on one data dir."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.sections import StorageConfig
from memory.locks import LOCK_FILE_NAME, FileSessionLocks, SessionBusyError, open_session_locks, session_byte

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, int(sys.argv[2]), os.SEEK_SET)
print("held", flush=True)
sys.stdin.read()
"""


def hold_in_another_process(path: Path, session_id: str) -> subprocess.Popen[str]:
    """A process that holds `session_id`'s byte of the lock file until its stdin closes (or it is killed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(session_byte(session_id))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def refused_in_another_process(path: Path, session_id: str) -> bool:
    """Whether another process fails to take `session_id`'s byte at once."""
    probe = subprocess.run(
        [sys.executable, "-c", HOLDER, str(path), str(session_byte(session_id))],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    return probe.returncode != 0 and "held" not in probe.stdout


def sqlite_storage(data_dir: Path) -> StorageConfig:
    return StorageConfig(backend="sqlite", data_dir=data_dir)


async def test_sqlite_mode_locks_a_session_against_another_process_for_a_bounded_wait(tmp_path: Path) -> None:
    async with open_session_locks(sqlite_storage(tmp_path)) as locks:
        assert isinstance(locks, FileSessionLocks)
        holder = hold_in_another_process(tmp_path / LOCK_FILE_NAME, "s")
        try:
            started = time.monotonic()
            with pytest.raises(SessionBusyError):
                async with locks.hold("s", wait=0.3):
                    pytest.fail("two processes held one session")
            assert 0.3 <= time.monotonic() - started < 1.0
            async with locks.hold("other", wait=0.3):  # another session's byte is free
                pass
        finally:
            holder.kill()  # a dead holder's lock goes with it
            holder.wait()
        async with locks.hold("s", wait=1.0):
            pass


async def test_a_released_lock_is_free_for_another_process(tmp_path: Path) -> None:
    async with open_session_locks(sqlite_storage(tmp_path)) as locks:
        async with locks.hold("s", wait=1.0):
            assert refused_in_another_process(tmp_path / LOCK_FILE_NAME, "s")  # held here: refused elsewhere
        holder = hold_in_another_process(tmp_path / LOCK_FILE_NAME, "s")  # released: it can take it
        holder.kill()
        holder.wait()


async def test_turns_of_one_process_exclude_each_other_and_queue(tmp_path: Path) -> None:
    order: list[str] = []
    async with open_session_locks(sqlite_storage(tmp_path)) as locks:

        async def turn(name: str) -> None:
            async with locks.hold("s", wait=2.0):
                order.append(f"{name} in")
                await asyncio.sleep(0.05)
                order.append(f"{name} out")

        await asyncio.gather(turn("a"), turn("b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_session_bytes_spread_and_fit_an_offset() -> None:
    offsets = {session_byte(f"session-{n}") for n in range(10_000)}
    assert len(offsets) == 10_000
    assert all(0 <= offset < 2**62 for offset in offsets)
