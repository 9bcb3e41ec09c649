"""The state of one chat turn, as the checkpointer keeps it between turns."""

from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


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

    intent: str = ""
    """Written by `classify_intent`: `workflow`, `chat` or `casual`."""

    intent_confidence: float = 0.0
    """Written by `classify_intent`: how sure the rule (or classifier) was."""

    intent_rule: str = ""
    """Written by `classify_intent`: which rule decided (`workflow-refinement` edits the session's pipeline)."""

    workflow: dict[str, Any] | None = None
    """Written by `generate_workflow`: the session's latest pipeline (`visual_pipeline`, `source`, `attempts`);
    kept across turns so a follow-up can refine it."""

    route_trace: list[str] = field(default_factory=list)
    """Which nodes ran this turn, in order; `load_memory` starts a fresh list each turn."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    """Written by `retrieve`: the passages that passed the similarity threshold, numbered in prompt order
    (`doc_path`, `heading`, `anchor`, `score`, `text`); the answer cites them as [n]."""

    error: str | None = None
    """Set by the fallback edge: why the primary answer path failed."""
