"""Turn events -> OpenAI `chat.completion.chunk` SSE frames, ending with `data: [DONE]`.

The stream is pure OpenAI: a role chunk, content chunks, a final chunk with `finish_reason` (carrying the `sage`
extension and `session_id`), an optional usage chunk (`stream_options.include_usage`, empty `choices`), then
`[DONE]`. Only a client that asked for `"sage": {"steps": true}` also gets named `sage.step` events (one per
finished graph node); OpenAI SDKs never see a frame they cannot parse unless they ask for it. A failure after
the first byte becomes an error frame followed by `[DONE]`: the status line is sent.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio

from api.errors import as_openai_error
from api.openai_schema import new_completion_id, unix_now
from api.turns import StreamEvent

STEP_EVENT = "sage.step"


def dumps(data: object) -> str:
    """Compact JSON, UTF-8 kept as is."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class ChunkWriter:
    """Builds the frames of one completion, all with the same id, timestamp and model."""

    def __init__(self, model: str) -> None:
        self.id = new_completion_id()
        self.created = unix_now()
        self.model = model

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> str:
        return dumps(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": choices,
                **extra,
            }
        )

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
        return self.chunk([{"index": 0, "delta": delta, "finish_reason": finish_reason}], **extra)


async def sse_frames(
    first: StreamEvent | None,
    events: AsyncIterator[StreamEvent],
    writer: ChunkWriter,
    *,
    include_usage: bool,
) -> AsyncIterator[dict[str, str]]:
    """Frames for sse-starlette; `first` is the event the route already awaited, so early failures are HTTP errors.

    Closing these frames closes `events` too, which stops the turn and its model call (client disconnect).
    """
    yield {"data": writer.delta({"role": "assistant", "content": ""})}
    try:
        event = first
        while event is not None:
            if event.step is not None:
                yield {"event": STEP_EVENT, "data": dumps(event.step)}
            if event.token is not None:
                yield {"data": writer.delta({"content": event.token})}
            if event.result is not None:
                result = event.result
                session_id = result.sage["session_id"]
                yield {"data": writer.delta({}, result.finish_reason, session_id=session_id, sage=result.sage)}
                if include_usage:
                    yield {"data": writer.chunk([], usage=result.usage.model_dump())}
                break
            event = await anext(events, None)
    except Exception as exc:  # the status line is already sent: report in-band
        yield {"data": dumps(as_openai_error(exc).body())}
    finally:
        with anyio.CancelScope(shield=True):  # runs inside sse-starlette's cancelled task group on disconnect
            await events.aclose()
    yield {"data": "[DONE]"}
