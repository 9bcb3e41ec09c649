"""Graph stream items -> protocol-neutral turn events: answer tokens, finished steps and, last, the result.

`graph.astream(stream_mode=["messages", "values"])` yields the answering nodes' model tokens and the whole state
after every step (with `"updates"` too when the client asked for step events). The collector keeps what the
result needs (the last state, so the facts and the answer as the graph's reducers left them, and the usage the
backend reported at the end of its stream) and passes the answer's tokens on.
"""

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk, AnyMessage

from api.errors import OpenAIError
from api.turn_result import TurnResult
from graph.names import ANSWER_NODES


@dataclass(frozen=True)
class TurnEvent:
    """One item of a streamed turn: a token, a finished graph step (when asked for), or (last) the result."""

    token: str | None = None
    step: dict[str, Any] | None = None
    result: TurnResult | None = None


@dataclass
class StreamCollector:
    """What a streamed run has produced so far."""

    values: dict[str, Any] = field(default_factory=dict)
    """The state after the latest step."""
    usage_chunk: AIMessageChunk | None = None
    finish_reason: str | None = None
    streamed_by: str | None = None
    """The answer node whose tokens the client has been sent, if any."""

    def absorb(self, mode: str, payload: Any) -> str | None:
        """Take one `astream` item: returns answer text to stream, and keeps usage, finish reason and the state."""
        if mode == "messages":
            return self._token(*payload)
        if mode == "values" and isinstance(payload, dict):
            self.values = payload
        return None

    @property
    def messages(self) -> list[AnyMessage]:
        return list(self.values.get("messages") or [])

    def _token(self, chunk: Any, metadata: dict[str, Any]) -> str | None:
        node = metadata.get("langgraph_node")
        if node not in ANSWER_NODES or not isinstance(chunk, AIMessageChunk):
            return None
        text = chunk.text
        if self.streamed_by not in (None, node) and text:
            # The first answer broke off after the client saw part of it: a stream cannot take tokens back,
            # so the fallback's answer is not spliced onto it; the turn fails (and is rolled back) instead.
            raise OpenAIError(502, "the model backend failed in the middle of the answer", code="upstream_error")
        if chunk.usage_metadata:
            self.usage_chunk = chunk
        self.finish_reason = chunk.response_metadata.get("finish_reason") or self.finish_reason
        self.streamed_by = node if text else self.streamed_by
        return text or None
