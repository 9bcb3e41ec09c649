"""Contract tests of `/sessions/**`, `/health` and `/`."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from tests.conftest import ClientFactory
from tests.fakes import fake_chat, fake_models


def ask(client: TestClient, text: str, session_id: str) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={"model": "fake-model", "session_id": session_id, "messages": [{"role": "user", "content": text}]},
    )
    assert response.status_code == 200


def test_create_get_list_and_totals(client: TestClient) -> None:
    created = client.post("/sessions", json={"title": "Plans"}).json()
    assert created["messages"] == [] and created["metadata"]["title"] == "Plans"
    ask(client, "hi", created["id"])
    session = client.get(f"/sessions/{created['id']}").json()
    assert [m["role"] for m in session["messages"]] == ["user", "assistant"]
    assert all(m["timestamp"] for m in session["messages"])
    listing = client.get("/sessions").json()
    assert listing["sessions"][0]["id"] == created["id"]
    assert listing["sessions"][0]["message_count"] == 2
    assert listing["stats"] == {"total_sessions": 1, "total_messages": 2}


def test_title_is_set_from_the_first_user_message_only_while_default(client: TestClient) -> None:
    session_id = client.post("/sessions").json()["id"]
    ask(client, "How do tides work?\nPlease explain", session_id)
    ask(client, "Another question", session_id)
    assert client.get(f"/sessions/{session_id}").json()["metadata"]["title"] == "How do tides work? Please explain"
    named = client.post("/sessions", json={"title": "Mine"}).json()["id"]
    ask(client, "something else", named)
    assert client.get(f"/sessions/{named}").json()["metadata"]["title"] == "Mine"


@pytest.mark.parametrize("backend", ["sqlite", "memory"])
def test_sessions_are_listed_most_recent_first(make_client: ClientFactory, tmp_path: Path, backend: str) -> None:
    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SESSION_BACKEND=backend))
    for session_id in ["a", "b", "c"]:
        ask(client, "x", session_id)
    ask(client, "again", "a")
    assert [s["id"] for s in client.get("/sessions").json()["sessions"]] == ["a", "c", "b"]


def test_the_listing_is_paged(client: TestClient) -> None:
    for session_id in ["s0", "s1", "s2", "s3", "s4"]:
        ask(client, "x", session_id)
    first = client.get("/sessions", params={"limit": 2}).json()
    assert [s["id"] for s in first["sessions"]] == ["s4", "s3"]
    assert (first["offset"], first["limit"], first["has_more"], first["next_offset"]) == (0, 2, True, 2)
    assert first["stats"] == {"total_sessions": 2, "total_messages": 4}  # the page's totals
    second = client.get("/sessions", params={"limit": 2, "offset": first["next_offset"]}).json()
    assert [s["id"] for s in second["sessions"]] == ["s2", "s1"]
    last = client.get("/sessions", params={"limit": 2, "offset": second["next_offset"]}).json()
    assert [s["id"] for s in last["sessions"]] == ["s0"]
    assert (last["has_more"], last["next_offset"]) == (False, None)
    whole = client.get("/sessions").json()
    assert (whole["limit"], whole["has_more"], len(whole["sessions"])) == (100, False, 5)
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "many"}):
        response = client.get("/sessions", params=bad)
        assert response.status_code == 400 and response.json()["error"]["param"] in bad


def test_a_listing_asks_the_store_for_one_page_of_the_callers_sessions(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner filter, the order and the page are the store's: a listing never reads every key's sessions."""
    for session_id in ["a", "b", "c"]:
        ask(client, "x", session_id)
    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]
    searches: list[dict[str, Any]] = []
    search = store.asearch

    async def recording(*args: Any, **kwargs: Any) -> Any:
        searches.append(kwargs)
        return await search(*args, **kwargs)

    monkeypatch.setattr(store, "asearch", recording)
    listed = client.get("/sessions", params={"limit": 2, "offset": 1}).json()
    assert [s["id"] for s in listed["sessions"]] == ["b", "a"]
    assert searches == [{"filter": {"owner": ""}, "limit": 3, "offset": 1}]  # one extra item tells `has_more`
    searches.clear()
    stats = client.get("/memory/stats", params={"limit": 1}).json()
    assert list(stats["sessions"]) == ["c"] and stats["total_sessions"] == 1 and stats["next_offset"] == 1
    assert searches[0] == {"filter": {"owner": ""}, "limit": 2, "offset": 0}


def test_patch_title_echoes_the_stored_title(client: TestClient) -> None:
    session_id = client.post("/sessions").json()["id"]
    response = client.patch(f"/sessions/{session_id}/title", json={"title": "  Renamed  "})
    assert response.json() == {"status": "updated", "session_id": session_id, "title": "Renamed"}
    assert client.get(f"/sessions/{session_id}").json()["metadata"]["title"] == "Renamed"


def test_clear_keeps_the_session_and_empties_it(client: TestClient) -> None:
    ask(client, "hi", "s1")
    assert client.post("/sessions/s1/clear").json() == {"status": "cleared", "session_id": "s1"}
    session = client.get("/sessions/s1").json()
    assert session["messages"] == [] and session["metadata"]["title"] == "hi"
    assert client.get("/sessions").json()["stats"]["total_messages"] == 0


def test_delete_removes_session_and_conversation(client: TestClient) -> None:
    ask(client, "hi", "s1")
    assert client.delete("/sessions/s1").json() == {"status": "deleted", "session_id": "s1"}
    assert client.get("/sessions/s1").status_code == 404
    ask(client, "new life", "s1")  # the id can be used again, starting empty
    assert [m["content"] for m in client.get("/sessions/s1").json()["messages"]] == ["new life", "fake answer"]


def test_cleanup_reads_the_registry_a_page_at_a_time(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import memory.sessions as sessions_module

    client = make_client()
    monkeypatch.setattr(sessions_module, "now_iso", lambda: "2000-01-01T00:00:00+00:00")
    old = [f"old{n}" for n in range(5)]
    for session_id in old:
        ask(client, "old", session_id)
    monkeypatch.undo()
    for session_id in ["new0", "new1"]:
        ask(client, "new", session_id)
    monkeypatch.setattr(sessions_module, "_PAGE", 2)  # stale sessions span pages, and are deleted between them
    assert client.post("/sessions/cleanup", params={"max_age_minutes": 30}).json()["removed_sessions"] == 5
    assert sorted(s["id"] for s in client.get("/sessions").json()["sessions"]) == ["new0", "new1"]


def test_cleanup_needs_an_age_and_removes_only_idle_sessions(client: TestClient) -> None:
    ask(client, "hi", "s1")
    assert client.post("/sessions/cleanup").status_code == 400
    assert client.post("/sessions/cleanup", params={"max_age_minutes": 60}).json() == {
        "status": "cleaned",
        "removed_sessions": 0,
    }
    assert client.get("/sessions/s1").status_code == 200


def test_cleanup_removes_idle_sessions(make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    import memory.sessions as sessions_module

    client = make_client()
    monkeypatch.setattr(sessions_module, "now_iso", lambda: "2000-01-01T00:00:00+00:00")
    ask(client, "old", "old")
    monkeypatch.undo()
    ask(client, "new", "new")
    assert client.post("/sessions/cleanup", params={"max_age_minutes": 30}).json()["removed_sessions"] == 1
    assert [s["id"] for s in client.get("/sessions").json()["sessions"]] == ["new"]
    assert client.get("/sessions/old").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/sessions/unknown", None, 404),
        ("delete", "/sessions/unknown", None, 404),
        ("post", "/sessions/unknown/clear", None, 404),
        ("patch", "/sessions/unknown/title", {"title": "x"}, 404),
        ("get", "/sessions/a.b", None, 400),
        ("get", "/sessions/%2e%2e%2fetc", None, 404),
        ("patch", "/sessions/s1/title", {"title": "x" * 10_000_000}, 413),
        ("patch", "/sessions/s1/title", {"title": "x" * 100_000}, 400),
        ("patch", "/sessions/s1/title", {"title": 12}, 400),
        ("patch", "/sessions/s1/title", {}, 400),
        ("post", "/sessions", {"title": ""}, 400),
        ("post", "/sessions", {"session_id": "../x"}, 400),
        ("post", "/sessions", {"session_id": "s1"}, 409),
    ],
)
def test_bad_session_requests_are_openai_errors_and_change_nothing(
    client: TestClient, method: str, path: str, body: object, status: int
) -> None:
    ask(client, "keep", "s1")
    before = client.get("/sessions").json(), client.get("/sessions/s1").json()
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert (client.get("/sessions").json(), client.get("/sessions/s1").json()) == before


def test_sessions_survive_an_app_restart_on_sqlite(make_client: ClientFactory) -> None:
    first = make_client(fake_models(fake_chat("remembered")))
    ask(first, "hello", "persist")
    first.__exit__(None, None, None)
    second = make_client()
    messages = second.get("/sessions/persist").json()["messages"]
    assert [m["content"] for m in messages] == ["hello", "remembered"]


def test_health_and_root(client: TestClient) -> None:
    ask(client, "hi", "s1")
    health = client.get("/health").json()
    assert health["status"] == "healthy"
    assert health["components"]["model"] == {
        "backend": "fake",
        "model": "fake-model",
        "status": "ready",
        "circuit_breaker": "closed",
    }
    assert "sessions" not in health  # no totals: /health reads no session
    root = client.get("/").json()
    assert root["service"] == "SAGE LLM Gateway"
    assert root["endpoints"]["chat"] == "/v1/chat/completions"


def test_unknown_route_is_an_openai_404(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
