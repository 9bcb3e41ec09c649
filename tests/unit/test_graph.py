"""The turn graph: its exact shape, memory windowing, and the fallback edge."""

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from graph.builder import build_graph
from tests.fakes import FailingChatModel, FailOnceChatModel, fake_chat, fake_resources
from turn.context import GatewayContext


def compiled(resources):  # type: ignore[no-untyped-def]
    return build_graph(resources).compile(checkpointer=InMemorySaver(), store=InMemoryStore())


def test_graph_has_exactly_the_declared_nodes_and_edges() -> None:
    drawn = compiled(fake_resources()).get_graph()
    assert set(drawn.nodes) == {
        "__start__",
        "load_memory",
        "classify_intent",
        "generate_workflow",
        "retrieve",
        "__error_handler__retrieve",
        "generate_answer",
        "__error_handler__generate_answer",
        "answer_direct",
        "fallback",
        "store_memory",
        "__end__",
    }
    edges = {(edge.source, edge.target, edge.conditional) for edge in drawn.edges}
    assert edges == {
        ("__start__", "load_memory", False),
        ("load_memory", "classify_intent", False),
        ("classify_intent", "generate_answer", True),
        ("classify_intent", "retrieve", True),
        ("classify_intent", "generate_workflow", True),
        ("classify_intent", "answer_direct", True),
        ("answer_direct", "store_memory", False),
        ("generate_workflow", "store_memory", False),
        ("retrieve", "generate_answer", False),
        ("retrieve", "fallback", True),
        ("generate_answer", "store_memory", False),
        ("generate_answer", "fallback", True),
        ("fallback", "store_memory", False),
        ("store_memory", "__end__", False),
    }


async def run_turn(graph, text: str, session: str = "s1") -> dict:  # type: ignore[no-untyped-def]
    return await graph.ainvoke(
        {"messages": [HumanMessage(text)]},
        {"configurable": {"thread_id": session}},
        context=GatewayContext(session_id=session),
    )


async def test_turns_accumulate_in_the_thread_and_trace_resets_each_turn() -> None:
    graph = compiled(fake_resources(fake_chat("one", "two")))
    await run_turn(graph, "first")
    values = await run_turn(graph, "second")
    assert [m.content for m in values["messages"]] == ["first", "one", "second", "two"]
    assert values["route_trace"] == ["load_memory", "classify_intent", "retrieve", "generate_answer", "store_memory"]


async def test_short_term_window_recalls_only_the_last_turns() -> None:
    graph = compiled(fake_resources(fake_chat("ok"), window=2))
    for text in ["t1", "t2", "t3", "t4"]:
        values = await run_turn(graph, text)
    recalled = [m.content for m in values["memory_context"]]
    assert recalled == ["t2", "ok", "t3", "ok"]


async def test_failure_in_generate_answer_takes_the_fallback_edge() -> None:
    graph_model = FailOnceChatModel(messages=iter([AIMessage("saved")]))
    graph = compiled(fake_resources(graph_model))
    values = await run_turn(graph, "hello")
    assert values["messages"][-1].content == "saved"
    assert values["route_trace"] == [
        "load_memory",
        "classify_intent",
        "generate_answer",
        "fallback",
        "store_memory",
    ]
    assert values["error"] == "generate_answer: RuntimeError"  # the class only: the text may hold upstream secrets


async def test_when_the_fallback_fails_too_the_turn_fails() -> None:
    graph = compiled(fake_resources(FailingChatModel(messages=iter([]))))
    with pytest.raises(RuntimeError, match="backend failure"):
        await run_turn(graph, "hello")


async def test_client_system_prompt_reaches_the_model_but_not_the_history() -> None:
    seen = []

    class Recording(type(fake_chat())):  # type: ignore[misc]
        async def _agenerate(self, messages, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(messages)
            return await super()._agenerate(messages, *args, **kwargs)

    graph = compiled(fake_resources(Recording(messages=iter([AIMessage("hi")]))))
    values = await graph.ainvoke(
        {"messages": [HumanMessage("q")], "system_prompt": "Answer in French."},
        {"configurable": {"thread_id": "s"}},
        context=GatewayContext(session_id="s"),
    )
    assert "Answer in French." in seen[0][0].content
    assert [m.type for m in values["messages"]] == ["human", "ai"]
