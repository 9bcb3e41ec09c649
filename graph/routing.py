"""Edge functions of the turn graph: decisions, no I/O (but the log)."""

import logging
from collections import deque
from typing import Literal

from langgraph.errors import NodeError
from langgraph.types import Command

from graph.names import ANSWER_DIRECT, FALLBACK, GENERATE_ANSWER, GENERATE_WORKFLOW, RETRIEVE, AnswerPath
from turn.state import Route, TurnState

HANDLED_ERRORS_KEPT = 1024
"""How many handled node errors stay referenced (see `to_fallback`)."""

logger = logging.getLogger(__name__)

NODE_OF_ROUTE: dict[Route, AnswerPath] = {
    "workflow": GENERATE_WORKFLOW,
    "rag": RETRIEVE,
    "casual": GENERATE_ANSWER,
    "direct": ANSWER_DIRECT,
}


def route_by_intent(state: TurnState) -> AnswerPath:
    """Follow the route `classify_intent` chose: pipeline requests to the workflow designer, questions to
    retrieval, small talk straight to the answer, and requests for tool calls or JSON to the direct answer."""
    return NODE_OF_ROUTE[state.route or "casual"]


def to_fallback(state: TurnState, error: NodeError, *, keepalive: deque[BaseException]) -> Command[Literal["fallback"]]:
    """Error handler of the answering nodes: record that and why the turn falls back, then answer in `fallback`.

    Warning:
        LangGraph remembers handled exceptions by `id()`. Once the handled exception is freed, a later one (the
        fallback's own failure) can be allocated at the same address and be silently swallowed as "already
        handled", ending the run without an answer. Keeping recent handled exceptions alive in `keepalive` (a
        bounded deque owned by the built graph) prevents the address reuse; the API also checks that a turn
        really produced an answer. No upstream issue covers it; `tests/unit/test_library_pins.py` fails when
        LangGraph stops confusing the two, and the keepalive can then go.
    """
    keepalive.append(error.error)
    # The exception's text can hold what the backend said (internal addresses, keys): the log gets it, the
    # state (which clients see, in `sage.step` events and error bodies) only the node and the error's class.
    logger.warning("%s failed; answering in %s", error.node, FALLBACK, exc_info=error.error)
    reason = f"{error.node}: {type(error.error).__name__}"
    return Command(goto=FALLBACK, update={"error": reason, "fallback": True, "route_trace": [error.node]})
