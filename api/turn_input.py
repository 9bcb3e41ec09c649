"""A turn as every protocol hands it to the runner, and the policy that merges it with the stored history."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import AnyMessage, HumanMessage

from api.errors import OpenAIError
from memory.sessions import is_valid_session_id
from turn.context import GatewayContext


@dataclass(frozen=True, kw_only=True)
class TurnRequest:
    """One request's turn, protocol-neutral: the session it belongs to, what the client said, and the knobs."""

    session_id: str
    new_session: bool
    """The gateway made the id up for this request (the client named none): nothing can be stored under it yet."""
    dialogue: Sequence[AnyMessage]
    """The request's user and assistant messages, in order (they may repeat the session's stored history)."""
    system_prompt: str | None = None
    context: GatewayContext = field(default_factory=GatewayContext)
    """The run's knobs (sampling); the runner fills in the session's own fields."""
    steps: bool = False
    """Stream the graph's node-by-node progress too (the `sage.steps` request option)."""


def resolve_session_id(requested: str | None) -> tuple[str, bool]:
    """The client's session id (a safe slug, else a 400), or a new one; and whether it is new."""
    if requested is None:
        return uuid.uuid4().hex, True
    if not is_valid_session_id(requested):
        raise OpenAIError(
            400, "session_id must be 1-128 letters, digits, '_' or '-'", param="session_id", code="invalid_session_id"
        )
    return requested, False


def _same(stored: AnyMessage, incoming: AnyMessage) -> bool:
    return type(stored) is type(incoming) and stored.text == incoming.text


def new_messages(dialogue: Sequence[AnyMessage], history: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The messages this turn adds to the session: the dialogue, less a leading run that repeats the stored history
    exactly, so a client that resends the whole conversation each time (as plain OpenAI clients do) does not
    duplicate it. What is left must end with a user message (else a 400)."""
    overlap = 0
    if len(history) <= len(dialogue) and all(_same(s, i) for s, i in zip(history, dialogue, strict=False)):
        overlap = len(history)
    fresh = list(dialogue[overlap:])
    if not fresh or not isinstance(fresh[-1], HumanMessage):
        raise OpenAIError(400, "the last non-system message must be a new user message", param="messages")
    return fresh


def may_repeat_history(dialogue: Sequence[AnyMessage]) -> bool:
    """Whether the dialogue could repeat stored history, so that the history must be read to merge it: a lone
    message cannot (every stored turn ends with an answer, and a dialogue must end with a question)."""
    return len(dialogue) > 1
