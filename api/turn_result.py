"""A finished turn as the protocols render it: the answer, its usage, and the facts the graph recorded."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage

from api.errors import OpenAIError
from api.usage import TokenUsage
from turn.state import Intent, Route


@dataclass(frozen=True, kw_only=True)
class TurnFacts:
    """What the turn graph recorded about how it answered (`turn.state`), read from the run's final values."""

    intent: Intent | None = None
    route: Route | None = None
    fallback: bool = False
    sources: list[dict[str, Any]] = field(default_factory=list)
    citations: dict[str, Any] | None = None
    workflow: dict[str, Any] | None = None
    trace: list[str] = field(default_factory=list)
    """The nodes that ran, in order (shown to clients as `sage.route`; nothing decides by it)."""

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> "TurnFacts":
        return cls(
            intent=values.get("intent"),
            route=values.get("route"),
            fallback=bool(values.get("fallback")),
            sources=values.get("sources") or [],
            citations=values.get("citations"),
            workflow=values.get("workflow"),
            trace=values.get("route_trace") or [],
        )


@dataclass(frozen=True, kw_only=True)
class TurnResult:
    """The outcome of a finished turn, as the response needs it."""

    session_id: str
    """The session the turn is stored in; "" for a turn that kept nothing (`store: false`)."""
    answer: AIMessage
    usage: TokenUsage
    finish_reason: str
    facts: TurnFacts
    alternatives: Sequence[AIMessage] = ()
    """The further choices a request for several (`n`) got; never part of the session."""
    choices_repeated: bool = False
    """The path that answered composes one answer (a designed workflow), so the further choices repeat it."""


def answer_of(messages: Sequence[AnyMessage]) -> AIMessage:
    """The turn's answer: the new last message. A run that ended without one (it must not, but see
    `graph.routing.to_fallback`) is a 502, never a 200 without an answer (and never with the failure's text: the
    log has it)."""
    if not messages or not isinstance(messages[-1], AIMessage):
        raise OpenAIError(502, "the turn produced no answer", code="no_answer")
    return messages[-1]


def finish_reason_of(answer: AIMessage, reported: str | None = None) -> str:
    """Why the answer ended, as the backend said; when it said nothing, a call to a tool (or legacy function) is
    `tool_calls` (`function_call`), anything else `stop`."""
    reason = reported or answer.response_metadata.get("finish_reason")
    if isinstance(reason, str) and reason:
        return reason
    if answer.tool_calls or answer.invalid_tool_calls:
        return "tool_calls"
    return "function_call" if "function_call" in answer.additional_kwargs else "stop"
