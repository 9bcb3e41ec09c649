"""A streamed turn as Anthropic's Messages events: `message_start`, a `content_block_start` / `_delta` / `_stop`
run per text or tool-use block, `message_delta` (stop reason, usage) and `message_stop`."""

import json
from collections.abc import AsyncGenerator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse

from api.errors import anthropic_error_body, as_openai_error
from api.protocols.anthropic_messages import STOP_REASONS, content_of, new_message_id, usage_out
from api.protocols.event_stream import event_stream_response
from api.streaming import TurnEvent
from api.turn_result import TurnResult

Frame = dict[str, str]


def _frame(kind: str, **fields: Any) -> Frame:
    return {"event": kind, "data": json.dumps({"type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))}


class BlockWriter:
    """Opens, fills and closes the message's content blocks as the answer's deltas arrive."""

    def __init__(self) -> None:
        self.count = 0
        self.open: tuple[str, int] | None = None
        """The open block's kind (`text`, or `tool` with the call's OpenAI index) and its index."""
        self.open_call: int | None = None

    def close(self) -> list[Frame]:
        if self.open is None:
            return []
        index, self.open, self.open_call = self.open[1], None, None
        return [_frame("content_block_stop", index=index)]

    def _start(self, kind: str, block: dict[str, Any]) -> list[Frame]:
        frames = self.close()
        self.open = (kind, self.count)
        self.count += 1
        return [*frames, _frame("content_block_start", index=self.open[1], content_block=block)]

    def text(self, text: str) -> list[Frame]:
        frames = [] if self.open and self.open[0] == "text" else self._start("text", {"type": "text", "text": ""})
        assert self.open is not None
        return [*frames, _frame("content_block_delta", index=self.open[1], delta={"type": "text_delta", "text": text})]

    def tool_call(self, fragment: dict[str, Any]) -> list[Frame]:
        """One OpenAI tool-call fragment: a new call (by its `index`) opens a `tool_use` block."""
        function = fragment.get("function") or {}
        frames: list[Frame] = []
        if self.open_call != fragment.get("index", 0) or self.open is None or self.open[0] != "tool":
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": fragment.get("id") or "",
                "name": function.get("name") or "",
                "input": {},
            }
            frames = self._start("tool", block)
            self.open_call = fragment.get("index", 0)
        assert self.open is not None
        if arguments := function.get("arguments"):
            delta = {"type": "input_json_delta", "partial_json": arguments}
            frames.append(_frame("content_block_delta", index=self.open[1], delta=delta))
        return frames

    def whole(self, result: TurnResult) -> list[Frame]:
        """The answer's blocks at once, for an answer that was not streamed token by token (a designed workflow)."""
        frames: list[Frame] = []
        for block in content_of(result.answer):
            if block["type"] == "text":
                frames += self.text(block["text"])
            else:
                frames += self._start("tool", {**block, "input": {}})
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"], ensure_ascii=False)}
                frames.append(_frame("content_block_delta", index=self.count - 1, delta=delta))
        return frames


def _event_frames(blocks: BlockWriter, event: TurnEvent) -> list[Frame]:
    frames: list[Frame] = []
    text = event.delta.text if event.delta is not None else event.token
    if text:
        frames += blocks.text(text)
    for fragment in (event.delta.tool_calls if event.delta is not None else None) or []:
        frames += blocks.tool_call(fragment)
    return frames


def _end_frames(blocks: BlockWriter, result: TurnResult) -> list[Frame]:
    frames = blocks.whole(result) if blocks.count == 0 else []
    frames += blocks.close()
    delta = {"stop_reason": STOP_REASONS.get(result.finish_reason, "end_turn"), "stop_sequence": None}
    frames.append(_frame("message_delta", delta=delta, usage=usage_out(result.usage)))
    frames.append(_frame("message_stop"))
    return frames


async def message_frames(
    first: TurnEvent | None, events: AsyncGenerator[TurnEvent], model: str
) -> AsyncGenerator[Frame]:
    """The events of one streamed message; `first` is the event the route already awaited. A failure after the
    status line is sent is an `error` event, as Anthropic sends it."""
    message: dict[str, Any] = {
        "id": new_message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }
    yield _frame("message_start", message=message)
    blocks = BlockWriter()
    try:
        event = first
        while event is not None:
            for frame in _event_frames(blocks, event):
                yield frame
            if event.result is not None:
                for frame in _end_frames(blocks, event.result):
                    yield frame
                break
            event = await anext(events, None)
    except Exception as exc:  # the status line is already sent: report in-band
        error = anthropic_error_body(as_openai_error(exc))
        yield {"event": "error", "data": json.dumps(error, ensure_ascii=False, separators=(",", ":"))}
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()


async def stream_message(events: AsyncGenerator[TurnEvent], model: str, *, send_timeout: float) -> EventSourceResponse:
    """The SSE response of a streamed message (see `event_stream_response`)."""

    def frames_of(first: TurnEvent | None, rest: AsyncGenerator[TurnEvent]) -> AsyncGenerator[Frame]:
        return message_frames(first, rest, model)

    return await event_stream_response(events, frames_of, send_timeout=send_timeout)
