"""The embedded SQLite checkpointer and store: work runs on each file's own thread, and files written by
LangGraph's aiosqlite classes (data dirs from before) open and read the same."""

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.store.sqlite.aio import AsyncSqliteStore

from memory.sqlite_offload import offloaded_saver, offloaded_store


def _echo_graph() -> StateGraph:
    async def answer(state: MessagesState) -> dict:
        return {"messages": [AIMessage(f"echo {len(state['messages'])}")]}

    builder = StateGraph(MessagesState)
    builder.add_node("answer", answer)
    builder.add_edge(START, "answer")
    return builder


async def test_operations_run_on_the_files_own_thread_not_the_event_loop(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def noting_thread(key: str, operation: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            seen[key] = threading.current_thread().name
            return operation(*args)

        return run

    async with (
        offloaded_saver(tmp_path / "checkpoints.sqlite", "normal") as saver,
        offloaded_store(tmp_path / "store.sqlite", "normal") as store,
    ):
        saver.get_tuple = noting_thread("saver", saver.get_tuple)  # type: ignore[method-assign]
        store.batch = noting_thread("store", store.batch)  # type: ignore[method-assign]
        graph = _echo_graph().compile(checkpointer=saver)
        await graph.ainvoke({"messages": [HumanMessage("hi")]}, {"configurable": {"thread_id": "t"}})
        await store.aput(("sessions",), "t", {"title": "x"})
        assert (await store.aget(("sessions",), "t")).value == {"title": "x"}  # type: ignore[union-attr]
    assert seen["saver"].startswith("sqlite-checkpoints")
    assert seen["store"].startswith("sqlite-store")
    assert threading.current_thread().name not in seen.values()


async def test_files_written_by_the_aiosqlite_classes_open_unchanged(tmp_path: Path) -> None:
    thread_id = uuid.uuid4().hex
    config = {"configurable": {"thread_id": thread_id}}
    async with (
        AsyncSqliteSaver.from_conn_string(str(tmp_path / "checkpoints.sqlite")) as old_saver,
        AsyncSqliteStore.from_conn_string(str(tmp_path / "store.sqlite")) as old_store,
    ):
        await old_store.setup()
        await _echo_graph().compile(checkpointer=old_saver).ainvoke({"messages": [HumanMessage("one")]}, config)
        await old_store.aput(("sessions",), thread_id, {"title": "before the upgrade"})

    async with (
        offloaded_saver(tmp_path / "checkpoints.sqlite", "normal") as saver,
        offloaded_store(tmp_path / "store.sqlite", "normal") as store,
    ):
        graph = _echo_graph().compile(checkpointer=saver)
        state = await graph.ainvoke({"messages": [HumanMessage("two")]}, config)
        assert [m.content for m in state["messages"]] == ["one", "echo 1", "two", "echo 3"]
        assert (await store.aget(("sessions",), thread_id)).value == {"title": "before the upgrade"}  # type: ignore[union-attr]
        assert len([c async for c in saver.alist(config)]) >= 2
        await saver.adelete_thread(thread_id)
        assert await saver.aget_tuple(config) is None


async def test_the_store_lists_writes_of_the_same_second_latest_first(tmp_path: Path) -> None:
    """`updated_at` is kept to the millisecond, so the store's `ORDER BY updated_at DESC` is the order of writes
    (of writes a millisecond apart or more: a turn takes longer)."""
    async with offloaded_store(tmp_path / "store.sqlite", "normal") as store:
        for key in ("a", "b", "c", "a"):
            await store.aput(("sessions",), key, {"owner": ""})
            await asyncio.sleep(0.002)
        listed = await store.asearch(("sessions",), filter={"owner": ""}, limit=2, offset=1)
        assert [item.key for item in listed] == ["c", "b"]
        assert [item.key for item in await store.asearch(("sessions",))] == ["a", "c", "b"]


async def test_a_page_of_one_owners_sessions_is_read_from_an_index(tmp_path: Path) -> None:
    """The store's own search SQL for `filter={"owner": ...}` is answered from the owner index, not by sorting every
    registry item (`memory.sqlite_offload.OWNER_INDEX`)."""
    async with offloaded_store(tmp_path / "store.sqlite", "normal") as store:
        await store.aput(("sessions",), "a", {"owner": "k"})
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        await store.asearch(("sessions",), filter={"owner": "k"}, limit=2)
        store.conn.set_trace_callback(None)
        search = next(s for s in statements if "json_extract(value, '$.owner')" in s)
        plan = " ".join(str(row) for row in store.conn.execute(f"EXPLAIN QUERY PLAN {search}").fetchall())
        assert "store_owner_updated_at" in plan and "TEMP B-TREE" not in plan
