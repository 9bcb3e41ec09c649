"""Library behaviour the gateway works around: each test fails when the library changes, so the workaround is
looked at again (and removed when no longer needed)."""

import gc
import sqlite3

from langgraph.errors import NodeError
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from typing_extensions import TypedDict


class _State(TypedDict, total=False):
    note: str


class _Boom(Exception):
    pass


async def test_langgraph_takes_a_later_exception_at_a_handled_ones_address_for_handled() -> None:
    """Why `graph.routing.to_fallback` keeps handled exceptions alive (`keepalive`).

    langgraph 1.2.24 records handled node errors as `id()` integers (`PregelRunner._handled_exception_ids`,
    `langgraph/pregel/_runner.py`) without a reference to the exception. Once it is freed, an unhandled failure
    allocated at the same address (the fallback's own) is taken for the handled one and the run ends without an
    answer or an error. No upstream issue covers it (checked against langgraph 1.2.24 and the repository's HEAD;
    the node error handlers came with langchain-ai/langgraph#7233). The test frees the handled exception, then
    raises one at its address: today the run just returns. When this test fails, LangGraph no longer confuses the
    two, and the keepalive can go.
    """
    handled: dict[str, int] = {}

    async def primary(state: _State) -> _State:
        raise _Boom("primary")

    def handler(state: _State, error: NodeError) -> Command[str]:
        handled["id"] = id(error.error)  # no reference kept, unlike `to_fallback`
        return Command(goto="fallback")

    async def fallback(state: _State) -> _State:
        gc.collect()  # the handled exception lives only in reference cycles: free it now
        hold = []
        for _ in range(100_000):  # allocate exceptions until one lands at the freed address
            exc = _Boom("fallback")
            if id(exc) == handled["id"]:
                raise exc
            hold.append(exc)
        raise AssertionError("the freed address was not reused: the handled exception is kept alive upstream now")

    builder = StateGraph(_State)
    builder.add_node("primary", primary, error_handler=handler, destinations=("fallback",))
    builder.add_node("fallback", fallback)
    builder.add_edge(START, "primary")
    builder.add_edge("fallback", END)
    assert await builder.compile().ainvoke({}) is None  # the fallback's failure was swallowed


def test_sqlite_store_lists_by_updated_at_kept_to_the_second() -> None:
    """Why `memory.sqlite_offload` adds a trigger keeping `updated_at` to the millisecond.

    langgraph-checkpoint-sqlite 3.1.2 stamps `updated_at` with `CURRENT_TIMESTAMP` (whole seconds) and searches
    `ORDER BY updated_at DESC`, so items written in the same second (sessions active in the same second) come in
    whatever order SQLite finds them, across pages too. When this fails, the store keeps finer times itself.
    """
    from langgraph.store.sqlite import SqliteStore

    store = SqliteStore(sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None))
    store.setup()
    for key in ("a", "b", "c"):
        store.put(("sessions",), key, {"n": key})
    store.put(("sessions",), "a", {"n": "again"})
    items = store.search(("sessions",))
    assert len(items) == 3 and all(item.updated_at.microsecond == 0 for item in items)


def test_in_memory_store_lists_in_first_write_order() -> None:
    """Why `memory.store.RecentFirstInMemoryStore` exists: langgraph 1.2.24's `InMemoryStore` searches in the
    order keys were first written (a dict, updated in place), where the SQL stores list the latest write first."""
    from langgraph.store.memory import InMemoryStore

    store = InMemoryStore()
    for key in ("a", "b", "c"):
        store.put(("sessions",), key, {"n": key})
    store.put(("sessions",), "a", {"n": "again"})
    assert [item.key for item in store.search(("sessions",))] == ["a", "b", "c"]
