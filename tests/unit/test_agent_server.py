"""The gateway inside the LangGraph Agent Server: one shared foundation, the thread list kept in step with the
sessions, Studio's turns recorded in the registry, and the LangGraph API behind the gateway's keys."""

import logging
import uuid
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph_sdk import Auth
from pydantic import SecretStr

from api import agent_server
from api.agent_server import AgentServerThreads, SharedFoundation, authenticate, is_thread_id
from api.auth import KeyRing, key_fingerprint
from config.settings import Settings
from graph.names import RECORD_SESSION
from tests.fakes import fake_chat, fake_models


class FakeThreads:
    """The part of the LangGraph SDK's threads client the directory uses, recording its calls."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.failure = failure

    async def create(self, *, thread_id: str, metadata: dict[str, Any], if_exists: str) -> dict[str, Any]:
        self.calls.append(("create", thread_id, {"metadata": metadata, "if_exists": if_exists}))
        if self.failure:
            raise self.failure
        return {"thread_id": thread_id}

    async def delete(self, thread_id: str) -> None:
        self.calls.append(("delete", thread_id, {}))
        if self.failure:
            raise self.failure


def directory(threads: FakeThreads) -> AgentServerThreads:
    return AgentServerThreads(lambda: threads)  # type: ignore[arg-type, return-value]


def status_error(code: int) -> httpx.HTTPStatusError:
    request = httpx.Request("DELETE", "http://api/threads/x")
    return httpx.HTTPStatusError("refused", request=request, response=httpx.Response(code, request=request))


def test_only_canonical_uuids_are_thread_ids() -> None:
    session = str(uuid.uuid4())
    assert is_thread_id(session)
    assert not is_thread_id(uuid.UUID(session).hex)  # the server would list it under another spelling
    assert not is_thread_id("my-session")


async def test_a_session_is_listed_as_a_thread_of_the_gateway_graph_and_dropped_again() -> None:
    threads = FakeThreads()
    session = str(uuid.uuid4())
    await directory(threads).register(session)
    await directory(threads).forget(session)
    assert threads.calls == [
        ("create", session, {"metadata": {"graph_id": "gateway"}, "if_exists": "do_nothing"}),
        ("delete", session, {}),
    ]


async def test_a_session_named_otherwise_is_not_listed_and_that_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    threads = FakeThreads()
    with caplog.at_level(logging.INFO, logger="api.agent_server"):
        await directory(threads).register("my-session")
        await directory(threads).forget("my-session")
    assert threads.calls == []
    assert "my-session is not listed" in caplog.text


async def test_a_listing_failure_is_logged_and_does_not_fail_the_turn(caplog: pytest.LogCaptureFixture) -> None:
    session = str(uuid.uuid4())
    await directory(FakeThreads(status_error(404))).forget(session)  # already gone: nothing to say
    assert caplog.text == ""
    await directory(FakeThreads(httpx.ConnectError("down"))).register(session)
    await directory(FakeThreads(status_error(500))).forget(session)
    assert "could not be listed" in caplog.text and "could not be deleted" in caplog.text


async def test_the_gateway_and_the_server_entries_share_one_foundation_opened_once() -> None:
    shared = SharedFoundation(
        Settings(SAGE_GATEWAY_SESSION_BACKEND="memory"), directory(FakeThreads()), models=fake_models()
    )
    async with shared.hold() as first, shared.hold() as second, shared.hold_graph() as graph:
        assert first is second
        assert RECORD_SESSION in graph.nodes
        assert RECORD_SESSION not in first.graph.nodes  # the gateway's own turns are recorded by its runner
    async with shared.hold() as reopened:
        assert reopened is not first  # the last holder closed it


async def test_a_turn_the_server_runs_is_recorded_in_the_session_registry() -> None:
    """A Studio run names no session: the thread is the session, and the registry learns of the turn."""
    threads = FakeThreads()
    settings = Settings(SAGE_GATEWAY_SESSION_BACKEND="memory", SAGE_GATEWAY_MEMORY_BACKEND="kv")
    shared = SharedFoundation(settings, directory(threads), models=fake_models(fake_chat("Paris.")))
    session = str(uuid.uuid4())
    async with shared.hold() as foundation, shared.hold_graph() as graph:
        runnable = graph.copy(update={"checkpointer": InMemorySaver(), "store": foundation.store})
        config = {"configurable": {"thread_id": session}}
        await runnable.ainvoke({"messages": [HumanMessage("Capital of France?")]}, config)  # type: ignore[arg-type]
        record = await foundation.sessions.get(session)
        memory = await foundation.resources.memory.stats(session)
    assert record is not None
    assert (record.message_count, record.title, record.owner) == (2, "Capital of France?", "")
    assert threads.calls[0][:2] == ("create", session)  # listed, idempotently (`do_nothing` if Studio made it)
    assert memory["items"] > 0  # remembered under the thread's id


async def test_the_langgraph_api_is_open_without_keys_and_takes_an_admin_key_with_them() -> None:
    state = agent_server.app.state
    configured = state.keys
    try:
        state.keys = KeyRing([], [])
        assert await authenticate(None) == "anonymous"
        state.keys = KeyRing([SecretStr("client")], [SecretStr("admin")])
        assert await authenticate("Bearer admin") == key_fingerprint("admin")
        refused = {}
        for header in (None, "Bearer client", "Bearer wrong", "Basic admin"):
            with pytest.raises(Auth.exceptions.HTTPException) as caught:
                await authenticate(header)
            refused[header] = caught.value.status_code
    finally:
        state.keys = configured
    assert refused == {None: 401, "Bearer client": 403, "Bearer wrong": 401, "Basic admin": 401}


async def test_sessions_created_and_deleted_through_the_gateway_are_listed_and_dropped() -> None:
    threads = FakeThreads()
    shared = SharedFoundation(Settings(SAGE_GATEWAY_SESSION_BACKEND="memory"), directory(threads), models=fake_models())
    session = str(uuid.uuid4())
    async with shared.hold() as foundation:
        await foundation.sessions.create(session, title="Named")
        await foundation.sessions.delete(session)
    assert [call[:2] for call in threads.calls] == [("create", session), ("delete", session)]
