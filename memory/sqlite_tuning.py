"""SQLite durability settings shared by the embedded checkpointer and store.

Both files run in WAL mode. `synchronous` decides when a commit is fsynced: `full` syncs every commit (survives
power loss, costs about a millisecond per write here), `normal` syncs at checkpoints (a commit survives a crash
of the gateway process, `kill -9` included, but the last commits may be lost if the machine itself loses
power). `normal` is the default, as in most embedded deployments; `SAGE_GATEWAY_SQLITE_SYNCHRONOUS=full` buys the
stronger guarantee.
"""

import sqlite3

from config.sections import SqliteSynchronous


def tune(conn: sqlite3.Connection, synchronous: SqliteSynchronous) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'full' else 'NORMAL'}")
