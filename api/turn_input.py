"""A turn as every protocol hands it to the runner, and the policy that merges it with the stored history."""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, AnyMessage, FunctionMessage, HumanMessage, ToolMessage

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
    store: bool = True
    """False: answer the turn and keep nothing (the request's `store: false`)."""

    @property
    def resumes_conversation(self) -> bool:
        """The client named no session but resent a conversation (it holds an answer): it may continue the session
        that conversation is in, rather than start a new one for every request."""
        return self.new_session and self.store and any(isinstance(m, AIMessage) for m in self.dialogue)

    def conversation_so_far(self) -> list[AnyMessage]:
        """The resent part of the dialogue: everything up to its last answer (what a session must hold to be the
        one this request continues)."""
        last_answer = max((i for i, m in enumerate(self.dialogue) if isinstance(m, AIMessage)), default=-1)
        return list(self.dialogue[: last_answer + 1])


def resolve_session_id(requested: str | None) -> tuple[str, bool]:
    """The client's session id (a safe slug, else a 400), or a new one; and whether it is new."""
    if requested is None:
        return str(uuid.uuid4()), True
    if not is_valid_session_id(requested):
        raise OpenAIError(
            400, "session_id must be 1-128 letters, digits, '_' or '-'", param="session_id", code="invalid_session_id"
        )
    return requested, False


def _signature(message: AnyMessage) -> list[object]:
    """What identifies a message as a client resends it: its kind, text, tool calls and the call it answers (never
    its id, which the client does not know, nor metadata)."""
    calls = [[c["name"], c["args"]] for c in message.tool_calls] if isinstance(message, AIMessage) else []
    answers = message.tool_call_id if isinstance(message, ToolMessage) else ""
    return [message.type, message.text, calls, answers]


def _same(stored: AnyMessage, incoming: AnyMessage) -> bool:
    return _signature(stored) == _signature(incoming)


def conversation_key(messages: Sequence[AnyMessage]) -> str:
    """A digest of a conversation, equal for the same messages as stored and as resent by a client."""
    text = json.dumps([_signature(m) for m in messages], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def new_messages(dialogue: Sequence[AnyMessage], history: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The messages this turn adds to the session: the dialogue, less a leading run that repeats the stored history
    exactly, so a client that resends the whole conversation each time (as plain OpenAI clients do) does not
    duplicate it. What is left must end with a user message, or with the results of the tools the last answer
    called (else a 400)."""
    overlap = 0
    if len(history) <= len(dialogue) and all(_same(s, i) for s, i in zip(history, dialogue, strict=False)):
        overlap = len(history)
    fresh = list(dialogue[overlap:])
    if not fresh or not isinstance(fresh[-1], HumanMessage | ToolMessage | FunctionMessage):
        message = "the last non-system message must be a new user message or a tool result"
        raise OpenAIError(400, message, param="messages")
    return fresh


def may_repeat_history(dialogue: Sequence[AnyMessage]) -> bool:
    """Whether the dialogue could repeat stored history, so that the history must be read to merge it: a lone
    message cannot (every stored turn ends with an answer, and a dialogue must end with a question)."""
    return len(dialogue) > 1
