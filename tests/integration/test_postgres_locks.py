"""PostgreSQL session locks: bounded waits, no connection held while waiting, no lock left in the pool."""

import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.sections import StorageConfig
from memory.locks import LockCapacityError, SessionBusyError, open_session_locks


def storage(database_url: str, pool_size: int) -> StorageConfig:
    return StorageConfig(
        backend="postgres", data_dir=Path("unused"), database_url=SecretStr(database_url), pool_size=pool_size
    )


async def test_a_lock_another_process_holds_is_waited_for_a_bounded_time(database_url: str) -> None:
    async with (
        open_session_locks(storage(database_url, 2)) as here,
        open_session_locks(storage(database_url, 2)) as there,
    ):
        async with here.hold("s", wait=1):
            started = time.monotonic()
            with pytest.raises(SessionBusyError):
                async with there.hold("s", wait=0.3):
                    pytest.fail("two holders of one session")
            assert 0.3 <= time.monotonic() - started < 1.0
            async with there.hold("other", wait=0.3):  # waiting held no connection: the pool still has both
                pass
        async with there.hold("s", wait=0.3):  # released, and not left held on a pooled connection
            pass


async def test_a_process_whose_lock_connections_are_all_held_answers_at_capacity(database_url: str) -> None:
    async with open_session_locks(storage(database_url, 1)) as locks:
        async with locks.hold("a", wait=1):
            with pytest.raises(LockCapacityError):
                async with locks.hold("b", wait=0.3):
                    pytest.fail("a second connection from a pool of one")
        async with locks.hold("b", wait=0.3):
            pass
