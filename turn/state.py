"""The state of one chat turn, as the checkpointer keeps it between turns, and the facts a turn records.

The API and the metrics read a finished turn's facts (`intent`, `route`, `fallback`, `sources`, `workflow`) from
here, never node names or the order of `route_trace`.
"""

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

Intent = Literal["workflow", "chat", "casual"]
"""What the user wants: a pipeline designed, an answer (from the documentation), or small talk."""

Route = Literal["workflow", "rag", "casual", "direct"]
"""The path that answers the turn: the workflow designer, retrieve-then-generate, the model with the gateway's
prompt, or (for tool calls and JSON output) the model with the client's request as it came."""

ROUTE_OF_INTENT: dict[Intent, Route] = {"workflow": "workflow", "chat": "rag", "casual": "casual"}


@dataclass(kw_only=True)
class InputState:
    """What a caller sends to run one turn: the new messages (and, from Studio, nothing else)."""

    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    """The session's conversation. A caller appends the turn's user message(s); nodes append the answer."""

    system_prompt: str | None = None
    """The client's system prompt for this turn (request `system` messages). Replaced every turn, never stored
    in `messages`, so a client that resends it each time does not grow the history."""


@dataclass(kw_only=True)
class TurnState(InputState):
    """Internal per-turn fields. Each node returns only the keys it changes."""

    memory_context: list[AnyMessage] = field(default_factory=list)
    """Written by `load_memory`: the history the memory backend recalls for this turn's prompt."""

    memory_section: str = ""
    """Written by `load_memory`: older memory the backend recalled for this question, as system-prompt text."""

    intent: Intent | None = None
    """Written by `classify_intent`."""

    intent_confidence: float = 0.0
    """Written by `classify_intent`: how sure the rule (or classifier) was."""

    intent_rule: str = ""
    """Written by `classify_intent`: which rule decided (`workflow-refinement` edits the session's pipeline)."""

    route: Route | None = None
    """Written by `classify_intent`: the path that answers this turn (the graph's conditional edge follows it)."""

    fallback: bool = False
    """Set by the fallback edge when the turn's answer path failed and the `fallback` node answered instead;
    `load_memory` clears it at the start of each turn."""

    workflow: dict[str, Any] | None = None
    """Written by `generate_workflow`: the session's latest pipeline (`visual_pipeline`, `source`, `attempts`);
    kept across turns so a follow-up can refine it."""

    route_trace: Annotated[list[str], operator.add] = field(default_factory=list)
    """The nodes that ran this turn, in order (the builder appends each node's name; the first node of a turn
    starts a new list). For debugging and the `sage.route` response field only: decisions read the facts above."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    """Written by `retrieve`: the relevant passages, most relevant first, numbered in prompt order (`doc_path`,
    `heading`, `anchor`, `score`, `coverage`, `text`, and `page` for a PDF's); the answer cites them as [n], and
    `generate_answer` marks each `cited` or not."""

    citations: dict[str, Any] | None = None
    """Written by `generate_answer` after a search: what the citation checks did to the answer (`checked`, and
    how many citations were `invented` (removed), `repointed` and `attributed`); `sage.citations`."""

    searched: bool = False
    """Written by `retrieve`: whether an index was searched; only then does an empty `sources` mean that the
    documentation does not cover the question (and the answer says so)."""

    error: str | None = None
    """Set by the fallback edge: why the primary answer path failed."""

    alternatives: list[AnyMessage] = field(default_factory=list)
    """Written by the answering nodes when the client asked for several choices (`n`): the answers after the
    first, which are returned but never join the conversation; `load_memory` clears them each turn."""
