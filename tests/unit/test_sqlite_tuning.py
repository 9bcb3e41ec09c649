"""The embedded SQLite files run in WAL mode with the configured `synchronous` level."""

import sqlite3
from pathlib import Path

import pytest

from config.settings import Settings
from memory.checkpointer import open_checkpointer
from memory.store import open_store


def read_pragma(conn: sqlite3.Connection, name: str) -> object:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.parametrize(("level", "pragma"), [("normal", 1), ("full", 2)])
async def test_checkpointer_and_store_use_wal_and_the_configured_sync_level(
    tmp_path: Path, level: str, pragma: int
) -> None:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SQLITE_SYNCHRONOUS=level)
    async with open_checkpointer(settings.storage()) as saver, open_store(settings.storage()) as store:
        for database in (saver, store):
            assert await database.thread.run(read_pragma, database.conn, "journal_mode") == "wal"  # type: ignore[attr-defined]
            assert await database.thread.run(read_pragma, database.conn, "synchronous") == pragma  # type: ignore[attr-defined]
