"""Clients that name no session: a conversation resent turn after turn stays one session; `store: false` keeps
nothing; a conversation that branches off an earlier point starts its own session instead of corrupting one."""

from fastapi.testclient import TestClient
from pydantic import SecretStr

from config.settings import Settings
from tests.conftest import ClientFactory
from tests.fakes import fake_chat, fake_models


def sessions(client: TestClient) -> list[dict]:  # type: ignore[type-arg]
    return client.get("/sessions").json()["sessions"]  # type: ignore[no-any-return]


def ask(client: TestClient, messages: list[dict], **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/chat/completions", json={"messages": messages, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_ten_turns_resending_the_history_leave_one_session(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat(*[f"answer {n}" for n in range(10)])))
    history: list[dict] = [{"role": "system", "content": "Be brief."}]  # type: ignore[type-arg]
    ids = set()
    for n in range(10):
        history.append({"role": "user", "content": f"question {n}"})
        body = ask(client, history)
        ids.add(body["session_id"])
        history.append({"role": "assistant", "content": body["choices"][0]["message"]["content"]})
    assert len(ids) == 1
    [only] = sessions(client)
    assert only["id"] in ids and only["message_count"] == 20
    stored = client.get(f"/sessions/{only['id']}").json()["messages"]
    assert [m["content"] for m in stored][::2] == [f"question {n}" for n in range(10)]


def test_store_false_leaves_no_session(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat("a", "b", "c")))
    first = ask(client, [{"role": "user", "content": "q1"}], store=False)
    assert first["session_id"] is None
    ask(
        client,
        [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "q2"}],
        store=False,
    )
    streamed = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "q"}], "store": False, "stream": True}
    )
    assert streamed.status_code == 200 and "X-Session-Id" not in streamed.headers
    assert sessions(client) == []


def test_a_branch_from_an_earlier_answer_starts_its_own_session(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat("a1", "a2", "b2")))
    first = ask(client, [{"role": "user", "content": "q1"}])
    so_far = [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    second = ask(client, [*so_far, {"role": "user", "content": "q2"}])
    assert second["session_id"] == first["session_id"]
    branch = ask(client, [*so_far, {"role": "user", "content": "another q2"}])  # the session has moved on past a1
    assert branch["session_id"] != first["session_id"]
    contents = [m["content"] for m in client.get(f"/sessions/{branch['session_id']}").json()["messages"]]
    assert contents == ["q1", "a1", "another q2", "b2"]
    original = [m["content"] for m in client.get(f"/sessions/{first['session_id']}").json()["messages"]]
    assert original == ["q1", "a1", "q2", "a2"]


def test_another_key_never_continues_a_conversation_it_resends(make_client: ClientFactory, settings: Settings) -> None:
    keyed = settings.model_copy(update={"api_keys": [SecretStr("key-a"), SecretStr("key-b")]})
    client = make_client(fake_models(fake_chat("a1", "x", "y")), app_settings=keyed)
    a, b = {"Authorization": "Bearer key-a"}, {"Authorization": "Bearer key-b"}
    first = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "q1"}]}, headers=a
    ).json()
    resent = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]
    other = client.post("/v1/chat/completions", json={"messages": resent}, headers=b).json()
    assert other["session_id"] != first["session_id"]
    assert client.get(f"/sessions/{first['session_id']}", headers=a).json()["messages"][-1]["content"] == "a1"


def test_sessions_of_clients_that_name_none_are_listed_apart(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat("a", "b")))
    ask(client, [{"role": "user", "content": "one-shot"}])
    ask(client, [{"role": "user", "content": "named"}], session_id="mine")
    assert [s["id"] for s in client.get("/sessions?origin=named").json()["sessions"]] == ["mine"]
    [conversation] = client.get("/sessions?origin=conversation").json()["sessions"]
    assert conversation["origin"] == "conversation" and conversation["title"] == "one-shot"
    assert len(sessions(client)) == 2
