"""Edge functions of the turn graph: pure decisions, no I/O."""

from collections import deque
from typing import Literal

from langgraph.errors import NodeError
from langgraph.types import Command

from graph.state import TurnState


def route_by_intent(state: TurnState) -> Literal["generate_workflow", "retrieve", "generate_answer"]:
    """Pipeline requests go to the workflow generator, questions (`chat`) to retrieval, small talk straight on."""
    routes: dict[str, Literal["generate_workflow", "retrieve", "generate_answer"]] = {
        "workflow": "generate_workflow",
        "chat": "retrieve",
    }
    return routes.get(state.intent, "generate_answer")


def to_fallback(state: TurnState, error: NodeError, *, keepalive: deque[BaseException]) -> Command[Literal["fallback"]]:
    """Error handler of the answering nodes: record why, then answer directly in `fallback`.

    Warning:
        LangGraph remembers handled exceptions by `id()`. Once the handled exception is freed, a later one (the
        fallback's own failure) can be allocated at the same address and be silently swallowed as "already
        handled", ending the run without an answer. Keeping recent handled exceptions alive in `keepalive` (a
        bounded deque owned by the built graph) prevents the address reuse; the API also checks that a turn
        really produced an answer.
    """
    keepalive.append(error.error)
    reason = f"{error.node}: {type(error.error).__name__}: {error.error}"
    return Command(goto="fallback", update={"error": reason, "route_trace": [*state.route_trace, error.node]})
