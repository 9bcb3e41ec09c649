"""PostgreSQL mode: two gateway instances on one database share sessions and memory."""

import asyncio
from pathlib import Path

from config.settings import Settings
from tests.conftest import ClientFactory
from tests.fakes import answer_stream, fake_chat, fake_models


def test_two_gateways_on_one_database_share_sessions_and_memory(
    database_url: str, tmp_path: Path, make_client: ClientFactory
) -> None:
    settings = [
        Settings(SAGE_GATEWAY_DATA_DIR=tmp_path / name, SAGE_GATEWAY_DATABASE_URL=database_url) for name in "ab"
    ]
    models = [fake_models(fake_chat(answer)) for answer in ("from A", "from B")]  # memory: on the shared store
    first, second = (make_client(each, s) for each, s in zip(models, settings, strict=True))
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
    for gateway in (first, second):  # the user's facts, written by A, are in the shared store
        items = gateway.get("/memory/items").json()["items"]
        assert [(item["predicate"], item["value"]) for item in items] == [("name", "Ada")]
    assert second.delete(f"/sessions/{session_id}").status_code == 200
    assert first.get(f"/sessions/{session_id}").status_code == 404
    assert first.get(f"/sessions/{session_id}/memory").status_code == 404


def test_concurrent_turns_of_one_session_on_two_gateways_are_serialised(
    database_url: str, tmp_path: Path, make_client: ClientFactory
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from langchain_core.language_models import GenericFakeChatModel

    class SlowChat(GenericFakeChatModel):
        async def _agenerate(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.2)  # long enough for the other gateway's turn to overlap
            return await super()._agenerate(*args, **kwargs)

    settings = [
        Settings(SAGE_GATEWAY_DATA_DIR=tmp_path / name, SAGE_GATEWAY_DATABASE_URL=database_url) for name in "ab"
    ]
    clients = [
        make_client(fake_models(SlowChat(messages=answer_stream((f"answer {n}",)))), s)
        for n, s in zip("ab", settings, strict=True)
    ]

    def turn(number: int) -> int:
        client = clients[number % 2]
        body = {"model": "fake-model", "session_id": "shared", "messages": [{"role": "user", "content": f"q{number}"}]}
        return client.post("/v1/chat/completions", json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(turn, range(6))) == [200] * 6
    messages = [m["content"] for m in clients[0].get("/sessions/shared").json()["messages"]]
    assert len(messages) == 12  # nothing lost
    questions, answers = messages[0::2], messages[1::2]
    assert sorted(questions) == [f"q{n}" for n in range(6)]  # each question exactly once ...
    assert all(a.startswith("answer ") for a in answers)  # ... and directly followed by its answer: no interleaving


def test_the_session_listing_is_paged_by_the_database_latest_first(
    database_url: str, tmp_path: Path, make_client: ClientFactory
) -> None:
    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_DATABASE_URL=database_url))
    for session_id in ["a", "b", "c", "a"]:
        body = {"model": "fake-model", "session_id": session_id, "messages": [{"role": "user", "content": "x"}]}
        assert client.post("/v1/chat/completions", json=body).status_code == 200
    first = client.get("/sessions", params={"limit": 2}).json()
    assert [s["id"] for s in first["sessions"]] == ["a", "c"] and first["next_offset"] == 2
    rest = client.get("/sessions", params={"limit": 2, "offset": 2}).json()
    assert [s["id"] for s in rest["sessions"]] == ["b"] and rest["has_more"] is False


def test_a_lost_database_connection_answers_503_and_turns_readiness_red(
    database_url: str, tmp_path: Path, make_client: ClientFactory
) -> None:
    import psycopg

    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_DATABASE_URL=database_url))
    assert client.get("/sessions").status_code == 200
    assert client.get("/ready").status_code == 200
    database = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/test", autocommit=True) as admin:
        admin.execute(  # what a database restart or failover does to the gateway's pooled connections
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
    response = client.get("/sessions")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert "terminating" not in response.text
    for _ in range(20):  # the pools drop their dead connections and reconnect ...
        if client.get("/sessions").status_code == 200 and client.get("/sessions").status_code == 200:
            break
    else:
        raise AssertionError("the store did not reconnect")
    ready = client.get("/ready")  # ... and the store answers again, but the fault keeps readiness red for a while
    assert ready.status_code == 503 and ready.json()["components"]["store"]["status"] == "unavailable"
