"""Graph stream items -> protocol-neutral turn events: answer tokens, finished steps and, last, the result.

`graph.astream(stream_mode=STREAM_MODES)` yields the answering nodes' model tokens (or, for a grounded answer,
its checked text as `AnswerText`) and the whole state after every step (with `"updates"` too when the client asked
for step events). The collector keeps what the result needs (the last state, so the facts and the answer as the
graph's reducers left them, and the usage the backend reported at the end of its stream) and passes the answer's
tokens on.
"""

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk, AnyMessage
from langgraph.types import StreamMode

from api.errors import OpenAIError
from api.turn_result import TurnResult
from graph.names import ANSWER_NODES
from turn.grounded import AnswerText

STREAM_MODES: tuple[StreamMode, ...] = ("messages", "custom", "values")


@dataclass(frozen=True)
class AnswerDelta:
    """What one streamed model chunk adds to the answer: text, fragments of tool calls (OpenAI's shape, by
    `index`), a fragment of a legacy function call, and the chunk's token log probabilities."""

    text: str = ""
    tool_calls: list[dict[str, Any]] | None = None
    function_call: dict[str, Any] | None = None
    logprobs: dict[str, Any] | None = None


@dataclass(frozen=True)
class TurnEvent:
    """One item of a streamed turn: the session it runs in (first), answer deltas, finished graph steps (when
    asked for), and (last) the result."""

    token: str | None = None
    step: dict[str, Any] | None = None
    result: TurnResult | None = None
    delta: AnswerDelta | None = None
    """A model chunk that carries more than text (tool calls, logprobs); `token` holds its text too."""
    session_id: str | None = None
    """The first event: the session the turn runs in ("" when it keeps nothing)."""


@dataclass
class StreamCollector:
    """What a streamed run has produced so far."""

    values: dict[str, Any] = field(default_factory=dict)
    """The state after the latest step."""
    usage_chunk: AIMessageChunk | None = None
    finish_reason: str | None = None
    streamed_by: str | None = None
    """The answer node whose tokens the client has been sent, if any."""

    def absorb(self, mode: str, payload: Any) -> AnswerDelta | None:
        """Take one `astream` item: returns what to stream of the answer, and keeps usage, finish reason and the
        state."""
        if mode == "messages":
            return self._token(*payload)
        if mode == "custom" and isinstance(payload, AnswerText):
            return self._checked_text(payload)
        if mode == "values" and isinstance(payload, dict):
            self.values = payload
        return None

    @property
    def messages(self) -> list[AnyMessage]:
        return list(self.values.get("messages") or [])

    def _token(self, chunk: Any, metadata: dict[str, Any]) -> AnswerDelta | None:
        node = metadata.get("langgraph_node")
        if node not in ANSWER_NODES or not isinstance(chunk, AIMessageChunk):
            return None
        delta = _delta_of(chunk)
        if delta is not None:
            self._answered_by(str(node))
        if chunk.usage_metadata:
            self.usage_chunk = chunk
        self.finish_reason = chunk.response_metadata.get("finish_reason") or self.finish_reason
        return delta

    def _checked_text(self, item: AnswerText) -> AnswerDelta | None:
        """Answer text a node streams itself (checked before it is sent; see `turn.grounded`)."""
        if item.node not in ANSWER_NODES or not item.text:
            return None
        self._answered_by(item.node)
        return AnswerDelta(text=item.text)

    def _answered_by(self, node: str) -> None:
        if self.streamed_by not in (None, node):
            # The first answer broke off after the client saw part of it: a stream cannot take tokens back,
            # so the fallback's answer is not spliced onto it; the turn fails (and is rolled back) instead.
            raise OpenAIError(502, "the model backend failed in the middle of the answer", code="upstream_error")
        self.streamed_by = node


def _delta_of(chunk: AIMessageChunk) -> AnswerDelta | None:
    """The client-visible part of a model chunk, None when it has none (a usage or finish-only chunk)."""
    calls = [
        {
            "index": part.get("index") or 0,
            **({"id": part["id"], "type": "function"} if part.get("id") else {}),
            "function": {
                **({"name": part["name"]} if part.get("name") else {}),
                "arguments": part.get("args") or "",
            },
        }
        for part in chunk.tool_call_chunks
    ]
    function_call = chunk.additional_kwargs.get("function_call")
    logprobs = chunk.response_metadata.get("logprobs")
    delta = AnswerDelta(
        text=chunk.text,
        tool_calls=calls or None,
        function_call=function_call if isinstance(function_call, dict) else None,
        logprobs=logprobs if isinstance(logprobs, dict) else None,
    )
    if not (delta.text or delta.tool_calls or delta.function_call or delta.logprobs):
        return None
    return delta
