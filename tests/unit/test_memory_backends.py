"""Memory backends through HTTP: long-range recall per backend, kv key replacement, graph two-hop recall,
clear/delete leaving nothing in the store, stats, and the /memory routes."""

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from llm.embeddings import OnnxSentenceEmbeddings
from memory.backends.stored import MEMORY_PREFIX
from tests.conftest import ClientFactory
from tests.fakes import answer_stream, fake_models
from tests.unit.test_rag import RecordingChat

FILLER = [
    "What is two plus two?",
    "Name a primary colour.",
    "What is the boiling point of water?",
    "Tell me a synonym for happy.",
    "How many days are in a week?",
    "What is the opposite of cold?",
]


@pytest.fixture(scope="module")
def embeddings() -> OnnxSentenceEmbeddings:
    return OnnxSentenceEmbeddings.packaged()


@pytest.fixture
def memory_app(tmp_path: Path, make_client: ClientFactory, embeddings: OnnxSentenceEmbeddings) -> dict[str, Any]:
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path,
        SAGE_GATEWAY_MEMORY_WINDOW=2,
        SAGE_GATEWAY_MEMORY_BACKENDS_ALLOWED="short_term,vdb,kv,graph",
        SAGE_GATEWAY_MEMORY_WRITE_SCOPES="session,user",
    )
    model = RecordingChat(messages=answer_stream(("Noted.",)))
    model.prompts = []
    client = make_client(fake_models(model, embeddings=embeddings), settings)
    return {"client": client, "model": model}


def new_session(client: TestClient, backend: str) -> str:
    response = client.post("/sessions", json={"memory_backend": backend})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def say(client: TestClient, session_id: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/v1/chat/completions",
        json={"model": "fake-model", "session_id": session_id, "messages": [{"role": "user", "content": text}]},
    )
    assert response.status_code == 200, response.text
    return response.json()


def system_prompt(app: dict[str, Any]) -> str:
    return app["model"].prompts[-1][0].content


FACTS = {
    "vdb": ("My cat is named Whiskers and she loves tuna.", "What food does my cat love?", "tuna"),
    "kv": ("My name is Ada Lovelace.", "Do you remember my name?", "Ada Lovelace"),
    "graph": ("Alice works at Initech.", "Where does Alice work?", "Initech"),
}


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph", "short_term"])
def test_a_fact_said_many_turns_ago_is_recalled_except_by_short_term(memory_app: dict[str, Any], backend: str) -> None:
    client = memory_app["client"]
    statement, question, expected = FACTS.get(backend, FACTS["vdb"])
    session_id = new_session(client, backend)
    say(client, session_id, statement)
    for filler in FILLER:
        say(client, session_id, filler)
    say(client, session_id, question)
    prompt = memory_app["model"].prompts[-1]
    window = " ".join(str(m.content) for m in prompt[1:])
    assert statement not in window  # the fact is outside the short-term window (2 turns)...
    if backend == "short_term":
        assert expected not in system_prompt(memory_app)  # ...and short_term does not bring it back
    else:
        assert expected in system_prompt(memory_app)  # ...but the backend recalls it


def test_kv_a_later_statement_replaces_an_earlier_one(memory_app: dict[str, Any]) -> None:
    client = memory_app["client"]
    session_id = new_session(client, "kv")
    say(client, session_id, "My email is ada@old.example.com")
    say(client, session_id, "I prefer Python.")
    say(client, session_id, "我的邮箱是 ada@new.example.com")
    items = client.get("/memory/items", params={"session_id": session_id}).json()["items"]
    assert {item["predicate"]: item["value"] for item in items} == {
        "email": "ada@new.example.com",
        "preference": "Python",
    }
    say(client, session_id, "What is my email?")
    assert "ada@new.example.com" in system_prompt(memory_app)
    assert "ada@old.example.com" not in system_prompt(memory_app)


def test_graph_answers_a_two_hop_question(memory_app: dict[str, Any]) -> None:
    client = memory_app["client"]
    session_id = new_session(client, "graph")
    say(client, session_id, "Alice works at Initech.")
    say(client, session_id, "Alice manages Bob.")
    say(client, session_id, "Dan lives in Paris.")
    for filler in FILLER:
        say(client, session_id, filler)
    say(client, session_id, "Where does Bob's manager work?")
    prompt = system_prompt(memory_app)
    assert "Bob's manager is Alice" in prompt and "Alice works at Initech" in prompt
    assert "Paris" not in prompt  # not connected to Bob


def store_keys(client: TestClient, session_id: str) -> list[Any]:
    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]
    namespaces = client.portal.call(  # type: ignore[union-attr]
        partial(store.alist_namespaces, prefix=(MEMORY_PREFIX, session_id))
    )
    return [
        item.key
        for ns in namespaces
        for item in client.portal.call(lambda ns=ns: store.asearch(ns, limit=1000))  # type: ignore[union-attr]
    ]


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
def test_clear_and_delete_leave_nothing_in_the_store_and_stats_match(memory_app: dict[str, Any], backend: str) -> None:
    client = memory_app["client"]
    session_id = new_session(client, backend)
    statement = FACTS[backend][0]
    say(client, session_id, statement)
    say(client, session_id, "Bob lives in Paris.")
    stats = client.get("/memory/stats").json()["sessions"][session_id]
    assert stats["backend"] == backend and stats["messages"] == 4
    assert stats["items"] == len(store_keys(client, session_id)) > 0 and stats["bytes"] > 0 and stats["last_write"]
    client.post(f"/sessions/{session_id}/clear")
    assert store_keys(client, session_id) == []
    assert client.get("/memory/stats").json()["sessions"][session_id]["items"] == 0
    say(client, session_id, statement)
    client.delete(f"/sessions/{session_id}")
    assert store_keys(client, session_id) == []
    assert session_id not in client.get("/memory/stats").json()["sessions"]


def test_cleanup_removes_memory_of_removed_sessions(memory_app: dict[str, Any]) -> None:
    client = memory_app["client"]
    session_id = new_session(client, "kv")
    say(client, session_id, "My name is Ada.")
    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]
    client.portal.call(store.adelete, ("sessions",), session_id)  # the session vanished, its memory did not
    assert store_keys(client, session_id)
    client.post("/sessions/cleanup", params={"max_age_minutes": 60})
    assert store_keys(client, session_id) == []


def test_memory_config_and_backend_choice_rules(
    memory_app: dict[str, Any], make_client: ClientFactory, tmp_path: Path
) -> None:
    client = memory_app["client"]
    config = client.get("/memory/config").json()
    assert config["backend"] == "kv" and config["max_dialogs"] == 2
    assert config["available_backends"] == ["short_term", "vdb", "kv", "graph"]
    assert client.post("/sessions", json={"memory_backend": "telepathy"}).status_code == 400
    strict = make_client(
        fake_models(),
        Settings(SAGE_GATEWAY_DATA_DIR=tmp_path / "s", SAGE_GATEWAY_MEMORY_BACKENDS_ALLOWED="short_term"),
    )
    assert strict.post("/sessions", json={"memory_backend": "vdb"}).status_code == 400
    assert client.get("/sessions/unknown/memory").status_code == 404


async def test_vdb_caches_see_writes_and_clears_made_by_another_process() -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langchain_core.messages import AIMessage, HumanMessage
    from langgraph.store.memory import InMemoryStore

    from memory.backends import MemoryBackend, Turn, build_backends

    store, embeddings = InMemoryStore(), DeterministicFakeEmbedding(size=16)
    first, second = (build_backends(store, embeddings, window_turns=2, max_tokens=500, top_k=3)["vdb"] for _ in "ab")

    async def searched(memory: MemoryBackend) -> int:
        return (await memory.recall("s", "anything", [])).details["turns_searched"]

    for text in ["one", "two"]:
        await first.remember("s", Turn(user=[HumanMessage(text)], answer=AIMessage("ok")))
    assert await searched(second) == 2
    await first.remember("s", Turn(user=[HumanMessage("three")], answer=AIMessage("ok")))
    assert await searched(second) == 3  # topped up, not stale
    await first.clear("s")
    assert await searched(second) == 0  # the generation changed: the cache was dropped


@pytest.mark.parametrize("backend", ["vdb", "kv"])
async def test_per_session_caches_keep_only_the_most_recently_used_sessions(backend: str) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langchain_core.messages import AIMessage, HumanMessage
    from langgraph.store.memory import InMemoryStore

    from memory.backends import Turn, build_backends

    memory = build_backends(
        InMemoryStore(), DeterministicFakeEmbedding(size=16), window_turns=2, max_tokens=500, top_k=3
    )[backend]
    memory.cached_sessions = 3  # type: ignore[attr-defined]
    sessions = [f"s{n}" for n in range(5)]
    for session_id in sessions:
        await memory.remember(session_id, Turn(user=[HumanMessage("Alice works at Initech.")], answer=AIMessage("ok")))
        await memory.recall(session_id, "Where does Alice work?", [])
    caches = {name: value for name, value in vars(memory).items() if name.startswith("_") and isinstance(value, dict)}
    assert caches, "the backend keeps no per-session cache: this test no longer observes anything"
    for name, cache in caches.items():
        assert len(cache) <= 3, name
        assert [key.rsplit("/", 1)[-1] for key in cache] == sessions[-3:], name
