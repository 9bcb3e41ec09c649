"""The embedded SQLite files run in WAL mode with the configured `synchronous` level."""

from pathlib import Path

import pytest

from api.settings import Settings
from memory.checkpointer import open_checkpointer
from memory.store import open_store


@pytest.mark.parametrize(("level", "pragma"), [("normal", 1), ("full", 2)])
async def test_checkpointer_and_store_use_wal_and_the_configured_sync_level(
    tmp_path: Path, level: str, pragma: int
) -> None:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SQLITE_SYNCHRONOUS=level)
    async with open_checkpointer(settings) as saver, open_store(settings) as store:
        for conn in (saver.conn, store.conn):  # type: ignore[attr-defined]
            async with conn.execute("PRAGMA journal_mode") as cursor:
                assert (await cursor.fetchone())[0] == "wal"
            async with conn.execute("PRAGMA synchronous") as cursor:
                assert (await cursor.fetchone())[0] == pragma
