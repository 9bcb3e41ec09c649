"""Storage faults: a full disk or a corrupt database answers 503 `storage_unavailable` (the cause logged, not sent)
and turns readiness red; a database that cannot be opened stops the start with a one-line `StorageOpenError`."""

import logging
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import check_storage, create_app
from config.settings import Settings
from memory.postgres import open_error
from memory.storage_faults import StorageHealth, StorageOpenError, storage_fault
from tests.conftest import ClientFactory
from tests.fakes import fake_models

UNAVAILABLE = {
    "message": "session storage is unavailable",
    "type": "service_unavailable",
    "param": None,
    "code": "storage_unavailable",
}


def chat(client: TestClient, text: str = "hello", **extra: Any) -> Any:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": text}], **extra}
    return client.post("/v1/chat/completions", json=body)


def fill_the_disk(client: TestClient) -> None:
    """Cap both SQLite files at the pages they have (`PRAGMA max_page_count`): the next write that needs a page
    fails with SQLITE_FULL, "database or disk is full", as on a full disk."""
    sessions = client.app.state.gateway.sessions  # type: ignore[attr-defined]
    for database in (sessions.store, sessions.checkpointer):

        def cap(conn: sqlite3.Connection = database.conn) -> None:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")

        client.portal.call(database.thread.run, cap)  # type: ignore[union-attr]


def big_text() -> str:
    return "a long question that needs new pages " * 2000


def test_a_full_disk_answers_503_and_turns_readiness_red(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    assert chat(client, "before").status_code == 200
    fill_the_disk(client)
    with caplog.at_level(logging.ERROR):
        response = chat(client, big_text())
    assert response.status_code == 503
    assert response.json() == {"error": UNAVAILABLE}
    assert "disk is full" not in response.text and "sqlite" not in response.text
    assert "database or disk is full" in caplog.text  # the real error is logged
    assert client.get("/sessions").status_code == 200  # reads still work on a full disk ...
    ready = client.get("/ready")
    assert ready.status_code == 503  # ... and do not clear the fault
    assert ready.json()["components"]["store"]["status"] == "unavailable"
    assert ready.json()["components"]["store"]["error"] == "OperationalError"
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["components"]["store"]["status"] == "unavailable"
    assert len(client.get("/sessions").json()["sessions"]) == 1  # the failed turn's new session was not kept


def test_a_full_disk_during_a_stream_ends_it_with_the_storage_error_frame(client: TestClient) -> None:
    fill_the_disk(client)
    response = chat(client, big_text(), stream=True)
    if response.status_code == 200:  # failed after the first byte: an error frame, then [DONE]
        assert '"code":"storage_unavailable"' in response.text and response.text.rstrip().endswith("[DONE]")
    else:
        assert response.status_code == 503 and response.json() == {"error": UNAVAILABLE}
    assert "disk is full" not in response.text
    assert client.get("/ready").status_code == 503


def test_a_corrupt_store_answers_503_until_it_recovers(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert chat(client).status_code == 200
    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]

    def malformed(*_: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(store, "batch", malformed)  # every store operation, on the database thread
    for response in (client.get("/sessions"), client.get("/memory/stats"), chat(client, "again")):
        assert response.status_code == 503 and response.json() == {"error": UNAVAILABLE}, response.text
    assert client.get("/ready").status_code == 503
    monkeypatch.undo()  # the store answers again: readiness stays red for a while, then recovers
    assert client.get("/ready").status_code == 503
    client.app.state.gateway.storage_health.hold_seconds = 0  # type: ignore[attr-defined]
    assert client.get("/ready").status_code == 200


def test_a_programming_error_is_not_a_storage_fault(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]

    def constraint(*_: object) -> None:
        raise sqlite3.IntegrityError("UNIQUE constraint failed: store.key")

    monkeypatch.setattr(store, "batch", constraint)
    response = client.get("/sessions")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    monkeypatch.undo()
    assert client.get("/ready").status_code == 200


def real_sqlite_error(statement: str) -> sqlite3.Error:
    """The error SQLite itself raises for `statement` on a small database capped at its size."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        conn.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"{statement} did not fail")


def test_which_errors_are_storage_faults() -> None:
    full = real_sqlite_error("INSERT INTO t VALUES (randomblob(100000))")
    assert full.sqlite_errorname == "SQLITE_FULL" and storage_fault(full) is full
    assert storage_fault(real_sqlite_error("INSERT INTO t VALUES (1)")) is None  # a constraint: a bug
    assert storage_fault(real_sqlite_error("SELECT * FROM missing")) is None  # bad SQL: a bug
    assert storage_fault(sqlite3.DatabaseError("file is not a database")) is not None
    assert storage_fault(sqlite3.ProgrammingError("Cannot operate on a closed database.")) is None
    assert storage_fault(psycopg.errors.DiskFull("could not extend file")) is not None
    assert storage_fault(psycopg.OperationalError("connection lost")) is not None
    assert storage_fault(psycopg.errors.UniqueViolation("duplicate key")) is None
    wrapped = RuntimeError("node failed")
    wrapped.__cause__ = sqlite3.OperationalError("database or disk is full")
    assert storage_fault(wrapped) is wrapped.__cause__
    assert storage_fault(ValueError("no")) is None


def test_storage_health_holds_a_fault_for_a_while() -> None:
    now = [100.0]
    health = StorageHealth(hold_seconds=30, clock=lambda: now[0])
    assert not health.observe(ValueError("not storage")) and health.recent_fault() is None
    assert health.observe(sqlite3.OperationalError("database or disk is full"))
    now[0] += 29
    fault = health.recent_fault()
    assert fault is not None and fault.error == "OperationalError" and fault.seconds_ago == 29
    now[0] += 2
    assert health.recent_fault() is None


def corrupt(path: Path, damage: str) -> None:
    if damage == "not a database":
        path.write_bytes(b"this is no SQLite file " * 200)
    else:  # a real database whose first page (the schema) is overwritten
        data = bytearray(path.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("file", ["store.sqlite", "checkpoints.sqlite"])
@pytest.mark.parametrize(
    ("damage", "cause"), [("not a database", "file is not a database"), ("malformed", "malformed")]
)
def test_a_damaged_database_stops_the_start_with_one_line(tmp_path: Path, file: str, damage: str, cause: str) -> None:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SESSION_BACKEND="sqlite")
    check_storage(settings)  # a healthy data dir opens (and this creates both files)
    corrupt(tmp_path / file, damage)
    with pytest.raises(StorageOpenError) as raised:
        check_storage(settings)
    message = str(raised.value)
    assert message.startswith(f"session database {tmp_path / file} cannot be opened: ") and cause in message
    assert "\n" not in message
    with pytest.raises(StorageOpenError), TestClient(create_app(settings, models=fake_models())):
        pass  # the lifespan raises the same error


def test_an_unopenable_postgres_database_is_named_without_its_password() -> None:
    error = open_error(
        "postgresql://sage:s3cret@db.example:6543/sessions",
        psycopg.OperationalError('connection failed: FATAL:  database "sessions" does not exist\nmore detail'),
    )
    assert error is not None
    assert str(error) == (
        "session database postgresql://db.example:6543/sessions cannot be opened: "
        'connection failed: FATAL:  database "sessions" does not exist'
    )
    assert open_error("postgresql://db.example/sessions", ValueError("a bug")) is None


def test_a_memory_backend_gateway_has_storage_health_too(make_client: ClientFactory, tmp_path: Path) -> None:
    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SESSION_BACKEND="memory"))
    assert client.get("/ready").status_code == 200
