"""The turn graph: the one place its nodes and edges are declared (their names are in `graph.names`).

START -> load_memory -> classify_intent --workflow--> generate_workflow ------------------> store_memory -> END
                                        --rag-------> retrieve -> generate_answer -------> store_memory
                                        --casual----> generate_answer
                                        --direct----> answer_direct (tools, JSON) -------> store_memory
         retrieve / generate_answer --on error--> fallback (direct model call) ---------> store_memory

The graph the Agent Server runs (for Studio) ends store_memory -> record_session -> END.
"""

from collections import deque
from collections.abc import Awaitable
from functools import partial
from typing import Any, Protocol

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Overwrite

from graph.names import (
    ANSWER_DIRECT,
    CLASSIFY_INTENT,
    FALLBACK,
    GENERATE_ANSWER,
    GENERATE_WORKFLOW,
    LOAD_MEMORY,
    RECORD_SESSION,
    RETRIEVE,
    STORE_MEMORY,
)
from graph.resources import Resources
from graph.routing import HANDLED_ERRORS_KEPT, route_by_intent, to_fallback
from memory.sessions import SessionRegistry
from nodes.answer_direct import answer_direct
from nodes.classify_intent import classify_intent
from nodes.fallback import fallback
from nodes.generate_answer import generate_answer
from nodes.generate_workflow import generate_workflow
from nodes.load_memory import load_memory
from nodes.record_session import record_session
from nodes.retrieve import retrieve
from nodes.store_memory import store_memory
from turn.context import GatewayContext
from turn.state import InputState, TurnState

TurnGraph = StateGraph[TurnState, GatewayContext, InputState, TurnState]
CompiledTurnGraph = CompiledStateGraph[TurnState, GatewayContext, InputState, TurnState]
"""The turn graph as its callers compile it (the gateway with its saver and store, Studio bare)."""


class Node(Protocol):
    """A node function with its dependencies bound: the state and the run's runtime in, the keys it changes out."""

    def __call__(self, state: TurnState, runtime: Runtime[GatewayContext]) -> Awaitable[dict[str, Any]]: ...


class TracedNode(Protocol):
    """A node as LangGraph calls it (the runtime injected by keyword)."""

    def __call__(self, state: TurnState, *, runtime: Runtime[GatewayContext]) -> Awaitable[dict[str, Any]]: ...


def traced(name: str, node: Node, *, starts_turn: bool = False) -> TracedNode:
    """`node`, with its name appended to the turn's `route_trace` when it finishes (the turn's first node starts a
    new trace), so that no node needs to know its own name."""

    async def run(state: TurnState, *, runtime: Runtime[GatewayContext]) -> dict[str, Any]:
        update = await node(state, runtime)
        return {**update, "route_trace": Overwrite([name]) if starts_turn else [name]}

    return run


def build_graph(resources: Resources, *, sessions: SessionRegistry | None = None) -> TurnGraph:
    """Return the uncompiled turn graph with `resources` bound into its nodes; the caller compiles it.

    With `sessions`, each turn ends by recording itself in that registry (`record_session`): the graph the Agent
    Server runs for Studio, whose turns the gateway's runner never sees.
    """
    models = resources.models
    builder = StateGraph(TurnState, input_schema=InputState, context_schema=GatewayContext)
    on_error = partial(to_fallback, keepalive=deque(maxlen=HANDLED_ERRORS_KEPT))
    builder.add_node(LOAD_MEMORY, traced(LOAD_MEMORY, partial(load_memory, memory=resources.memory), starts_turn=True))
    builder.add_node(
        CLASSIFY_INTENT,
        traced(
            CLASSIFY_INTENT,
            partial(classify_intent, rules=resources.intent_rules, classifier=resources.intent_classifier),
        ),
    )
    builder.add_node(
        GENERATE_WORKFLOW, traced(GENERATE_WORKFLOW, partial(generate_workflow, designer=resources.workflow_designer))
    )
    builder.add_node(
        RETRIEVE,
        traced(RETRIEVE, partial(retrieve, index=models.index, retrieval=resources.retrieval)),
        error_handler=on_error,
        destinations=(FALLBACK,),
    )
    builder.add_node(
        GENERATE_ANSWER,
        traced(GENERATE_ANSWER, partial(generate_answer, chat_model=models.chat_model, breaker=models.breaker)),
        error_handler=on_error,
        destinations=(FALLBACK,),
    )
    builder.add_node(
        ANSWER_DIRECT,
        traced(ANSWER_DIRECT, partial(answer_direct, chat_model=models.chat_model, breaker=models.breaker)),
    )
    builder.add_node(
        FALLBACK, traced(FALLBACK, partial(fallback, chat_model=models.chat_model, breaker=models.breaker))
    )
    builder.add_node(STORE_MEMORY, traced(STORE_MEMORY, partial(store_memory, memory=resources.memory)))

    builder.add_edge(START, LOAD_MEMORY)
    builder.add_edge(LOAD_MEMORY, CLASSIFY_INTENT)
    builder.add_conditional_edges(
        CLASSIFY_INTENT, route_by_intent, [GENERATE_WORKFLOW, RETRIEVE, GENERATE_ANSWER, ANSWER_DIRECT]
    )
    builder.add_edge(GENERATE_WORKFLOW, STORE_MEMORY)
    builder.add_edge(RETRIEVE, GENERATE_ANSWER)
    builder.add_edge(GENERATE_ANSWER, STORE_MEMORY)
    builder.add_edge(ANSWER_DIRECT, STORE_MEMORY)
    builder.add_edge(FALLBACK, STORE_MEMORY)
    if sessions is None:
        builder.add_edge(STORE_MEMORY, END)
    else:
        builder.add_node(RECORD_SESSION, partial(record_session, sessions=sessions))
        builder.add_edge(STORE_MEMORY, RECORD_SESSION)
        builder.add_edge(RECORD_SESSION, END)
    return builder
