"""Turn events -> OpenAI `chat.completion.chunk` SSE frames, ending with `data: [DONE]`.

The stream is pure OpenAI: a role chunk, content (or `tool_calls`) chunks with their `logprobs` when asked for, the
further choices of an `n` request (each whole), a final chunk with `finish_reason` (carrying the `sage` extension
and `session_id`), an optional usage chunk (`stream_options.include_usage`, empty `choices`), then `[DONE]`. Only
a client that asked for `"sage": {"steps": true}` also gets named `sage.step` events (one per finished graph
node); OpenAI SDKs never see a frame they cannot parse unless they ask for it. A failure after
the first byte becomes an error frame followed by `[DONE]`: the status line is sent.
"""

import json
from collections.abc import AsyncGenerator
from typing import Any, Literal

import anyio
import orjson
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from api.errors import as_openai_error
from api.extension import sage_extension
from api.protocols.event_stream import event_stream_response
from api.protocols.openai_chat import Usage, message_out, new_completion_id, unix_now
from api.schemas.omitted import absent
from api.streaming import TurnEvent
from api.turn_result import TurnResult, finish_reason_of

STEP_EVENT = "sage.step"
TOKEN_TAIL = b'},"finish_reason":null}]}\r\n\r\n'
"""The end of a token's frame: the choice's `finish_reason`, and the blank line (CRLF, sse-starlette's separator)."""


class ChunkDelta(BaseModel):
    """What a chunk adds to the message; fields it does not carry are left out, as OpenAI does."""

    role: Literal["assistant"] | None = Field(default=None, exclude_if=absent)
    content: str | None = Field(default=None, exclude_if=absent)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, exclude_if=absent)
    function_call: dict[str, Any] | None = Field(default=None, exclude_if=absent)


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = Field(default=None, exclude_if=absent)


class ChatCompletionChunk(BaseModel):
    """One frame of a streamed completion; `usage` only on the usage chunk, the extensions only on the last."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = Field(default=None, exclude_if=absent)
    session_id: str | None = Field(default=None, exclude_if=absent)
    sage: dict[str, Any] | None = Field(default=None, exclude_if=absent)


class ChunkWriter:
    """Builds the frames of one completion, all with the same id, timestamp and model."""

    def __init__(self, model: str) -> None:
        self.id = new_completion_id()
        self.created = unix_now()
        self.model = model
        head = orjson.dumps({"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": model})
        self._token_head = b"data: " + head[:-1] + b',"choices":[{"index":0,"delta":{"content":'

    def token(self, text: str) -> bytes:
        """The whole SSE frame of a plain answer token, as `delta(ChunkDelta(content=text))` would encode it
        through sse-starlette, without a model per token: most of a stream's frames are these."""
        return self._token_head + orjson.dumps(text) + TOKEN_TAIL

    def chunk(self, choices: list[ChunkChoice], **extensions: Any) -> str:
        frame = ChatCompletionChunk(id=self.id, created=self.created, model=self.model, choices=choices, **extensions)
        return frame.model_dump_json()

    def delta(
        self,
        delta: ChunkDelta,
        finish_reason: str | None = None,
        *,
        index: int = 0,
        logprobs: dict[str, Any] | None = None,
        **extensions: Any,
    ) -> str:
        choice = ChunkChoice(index=index, delta=delta, finish_reason=finish_reason, logprobs=logprobs)
        return self.chunk([choice], **extensions)


def _delta_frame(writer: ChunkWriter, event: TurnEvent) -> dict[str, str] | bytes:
    if event.delta is None:
        return writer.token(event.token or "")
    delta = event.delta
    chunk_delta = ChunkDelta(content=delta.text or None, tool_calls=delta.tool_calls, function_call=delta.function_call)
    return {"data": writer.delta(chunk_delta, logprobs=delta.logprobs)}


def _alternative_frames(writer: ChunkWriter, result: TurnResult) -> list[str]:
    """The further choices (`n`), each whole in one chunk and then its finish chunk: they were not streamed."""
    frames = []
    for index, answer in enumerate(result.alternatives, start=1):
        message = message_out(answer)
        whole = ChunkDelta(
            role="assistant",
            content=message.content,
            tool_calls=_indexed(message.tool_calls),
            function_call=message.function_call,
        )
        frames.append(writer.delta(whole, index=index, logprobs=answer.response_metadata.get("logprobs")))
        frames.append(writer.delta(ChunkDelta(), finish_reason_of(answer), index=index))
    return frames


def _indexed(calls: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    return [{"index": n, **call} for n, call in enumerate(calls)] if calls else None


async def sse_frames(
    first: TurnEvent | None,
    events: AsyncGenerator[TurnEvent],
    writer: ChunkWriter,
    *,
    include_usage: bool,
) -> AsyncGenerator[dict[str, str] | bytes]:
    """Frames for sse-starlette (a token's frame already encoded); `first` is the event the route already awaited,
    so early failures are HTTP errors.

    Closing these frames closes `events` too, which stops the turn and its model call (client disconnect).
    """
    yield {"data": writer.delta(ChunkDelta(role="assistant", content=""))}
    try:
        event = first
        while event is not None:
            if event.step is not None:
                yield {"event": STEP_EVENT, "data": json.dumps(event.step, ensure_ascii=False, separators=(",", ":"))}
            if event.token is not None or event.delta is not None:
                yield _delta_frame(writer, event)
            if event.result is not None:
                result = event.result
                for frame in _alternative_frames(writer, result):
                    yield {"data": frame}
                last = writer.chunk(
                    [ChunkChoice(delta=ChunkDelta(), finish_reason=result.finish_reason)],
                    session_id=result.session_id or None,
                    sage=sage_extension(result),
                )
                yield {"data": last}
                if include_usage:
                    yield {"data": writer.chunk([], usage=Usage.of(result.usage))}
                break
            event = await anext(events, None)
    except Exception as exc:  # the status line is already sent: report in-band
        yield {"data": json.dumps(as_openai_error(exc).body(), ensure_ascii=False, separators=(",", ":"))}
    finally:
        with anyio.CancelScope(shield=True):  # runs inside sse-starlette's cancelled task group on disconnect
            await events.aclose()
    yield {"data": "[DONE]"}


async def stream_response(
    events: AsyncGenerator[TurnEvent],
    model: str,
    *,
    include_usage: bool,
    send_timeout: float,
) -> EventSourceResponse:
    """The SSE response of a streamed completion (see `event_stream_response`)."""
    writer = ChunkWriter(model)

    def frames_of(first: TurnEvent | None, rest: AsyncGenerator[TurnEvent]) -> AsyncGenerator[dict[str, str] | bytes]:
        return sse_frames(first, rest, writer, include_usage=include_usage)

    return await event_stream_response(events, frames_of, send_timeout=send_timeout)
