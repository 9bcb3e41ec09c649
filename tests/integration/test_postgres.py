"""PostgreSQL mode: two gateway instances on one database share sessions and memory."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from api.settings import Settings
from tests.conftest import ClientFactory
from tests.fakes import fake_chat, fake_resources

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh database per test (LangGraph's tables have fixed names), dropped afterwards."""
    name = f"sage_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - .ci/run starts PostgreSQL
        pytest.fail(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc}); start it, as .ci/run does")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_two_gateways_on_one_database_share_sessions_and_memory(
    database_url: str, tmp_path: Path, make_client: ClientFactory
) -> None:
    settings = [
        Settings(SAGE_GATEWAY_DATA_DIR=tmp_path / name, SAGE_GATEWAY_DATABASE_URL=database_url) for name in "ab"
    ]
    resources = [fake_resources(fake_chat(answer)) for answer in ("from A", "from B")]
    for each in resources:
        each.memory = None  # the app builds its memory backends on the shared store
    first, second = (make_client(each, s) for each, s in zip(resources, settings, strict=True))
    session_id = first.post("/sessions", json={"memory_backend": "kv"}).json()["id"]
    ask = {
        "model": "fake-model",
        "session_id": session_id,
        "messages": [{"role": "user", "content": "My name is Ada."}],
    }
    assert first.post("/v1/chat/completions", json=ask).status_code == 200
    ask["messages"] = [{"role": "user", "content": "And what is my name?"}]
    assert second.post("/v1/chat/completions", json=ask).status_code == 200
    messages = second.get(f"/sessions/{session_id}").json()["messages"]
    assert [m["content"] for m in messages] == ["My name is Ada.", "from A", "And what is my name?", "from B"]
    assert first.get("/sessions").json()["stats"] == {"total_sessions": 1, "total_messages": 4}
    facts = first.get(f"/sessions/{session_id}/memory").json()["facts"]
    assert [(f["key"], f["value"]) for f in facts] == [("name", "Ada")]
    assert second.delete(f"/sessions/{session_id}").status_code == 200
    assert first.get(f"/sessions/{session_id}").status_code == 404
    assert first.get(f"/sessions/{session_id}/memory").status_code == 404
