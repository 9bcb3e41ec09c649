"""The turn graph: the one place its nodes and edges are declared.

START -> load_memory -> classify_intent -> generate_answer -> store_memory -> END
                                           generate_answer --on error--> fallback -> store_memory
"""

from collections import deque
from functools import partial

from langgraph.graph import END, START, StateGraph

from graph.context import GatewayContext
from graph.resources import Resources
from graph.routing import route_by_intent, to_fallback
from graph.state import InputState, TurnState
from nodes.classify_intent import classify_intent
from nodes.fallback import fallback
from nodes.generate_answer import generate_answer
from nodes.generate_workflow import generate_workflow
from nodes.load_memory import load_memory
from nodes.retrieve import retrieve
from nodes.store_memory import store_memory

HANDLED_ERRORS_KEPT = 1024
"""How many handled node errors stay referenced (see `graph.routing.to_fallback`)."""

ANSWER_NODES = frozenset({"generate_answer", "fallback"})
"""Nodes whose model tokens are the turn's answer (streamed to the client)."""


def build_graph(resources: Resources) -> StateGraph:
    """Return the uncompiled turn graph with `resources` bound into its nodes; the caller compiles it."""
    builder = StateGraph(TurnState, input_schema=InputState, context_schema=GatewayContext)
    builder.add_node("load_memory", partial(load_memory, memory=resources.memory))
    builder.add_node(
        "classify_intent",
        partial(classify_intent, rules=resources.intent_rules, classifier=resources.intent_classifier),
    )
    builder.add_node(
        "generate_workflow",
        partial(generate_workflow, chat_model=resources.chat_model, catalogue=resources.catalogue),
    )
    on_error = partial(to_fallback, keepalive=deque(maxlen=HANDLED_ERRORS_KEPT))
    builder.add_node(
        "retrieve",
        partial(retrieve, index=resources.index, min_score=resources.min_score),
        error_handler=on_error,
        destinations=("fallback",),
    )
    builder.add_node(
        "generate_answer",
        partial(generate_answer, chat_model=resources.chat_model, breaker=resources.breaker),
        error_handler=on_error,
        destinations=("fallback",),
    )
    builder.add_node("fallback", partial(fallback, chat_model=resources.chat_model))
    builder.add_node("store_memory", partial(store_memory, memory=resources.memory))

    builder.add_edge(START, "load_memory")
    builder.add_edge("load_memory", "classify_intent")
    builder.add_conditional_edges(
        "classify_intent", route_by_intent, ["generate_workflow", "retrieve", "generate_answer"]
    )
    builder.add_edge("generate_workflow", "store_memory")
    builder.add_edge("retrieve", "generate_answer")
    builder.add_edge("generate_answer", "store_memory")
    builder.add_edge("fallback", "store_memory")
    builder.add_edge("store_memory", END)
    return builder
