"""A streamed turn as the Responses API's semantic events, in the order the `openai` SDK's stream helper
accumulates them: `response.created`, `response.in_progress`, per output item `response.output_item.added`,
its deltas (`response.output_text.delta`, `response.function_call_arguments.delta`) and `.done` events, then
`response.completed` with the whole response."""

import json
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import anyio
from sse_starlette import EventSourceResponse

from api.errors import as_openai_error
from api.protocols.event_stream import event_stream_response
from api.protocols.openai_responses import output_of
from api.streaming import TurnEvent
from api.turn_result import TurnResult

Frame = dict[str, str]
Finish = Callable[[TurnResult, list[dict[str, Any]]], Awaitable[dict[str, Any]]]
"""Stores the finished response (its output items as streamed) and returns its body."""


class OutputWriter:
    """Numbers the events and keeps the output items as they are streamed (the final response repeats them)."""

    def __init__(self) -> None:
        self.sequence = 0
        self.items: list[dict[str, Any]] = []
        self.open: dict[str, Any] | None = None
        self.open_call: int | None = None

    def frame(self, kind: str, **fields: Any) -> Frame:
        data = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return {"event": kind, "data": json.dumps(data, ensure_ascii=False, separators=(",", ":"))}

    def _add(self, item: dict[str, Any]) -> list[Frame]:
        frames = self.close()
        self.items.append(item)
        self.open = item
        frames.append(self.frame("response.output_item.added", output_index=len(self.items) - 1, item=_pending(item)))
        return frames

    def close(self) -> list[Frame]:
        item, self.open, self.open_call = self.open, None, None
        if item is None:
            return []
        index = len(self.items) - 1
        item["status"] = "completed"
        frames = []
        if item["type"] == "message":
            part = item["content"][0]
            at = {"item_id": item["id"], "output_index": index, "content_index": 0}
            frames.append(self.frame("response.output_text.done", **at, text=part["text"], logprobs=[]))
            frames.append(self.frame("response.content_part.done", **at, part=part))
        else:
            at = {"item_id": item["id"], "output_index": index}
            frames.append(self.frame("response.function_call_arguments.done", **at, arguments=item["arguments"]))
        frames.append(self.frame("response.output_item.done", output_index=index, item=item))
        return frames

    def text(self, text: str) -> list[Frame]:
        frames: list[Frame] = []
        if self.open is None or self.open["type"] != "message":
            part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            message = {"type": "message", "id": f"msg_{uuid.uuid4().hex}", "role": "assistant", "content": [part]}
            frames = self._add({**message, "status": "in_progress"})
            at = {"item_id": message["id"], "output_index": len(self.items) - 1, "content_index": 0}
            frames.append(self.frame("response.content_part.added", **at, part=dict(part)))
        assert self.open is not None
        self.open["content"][0]["text"] += text
        at = {"item_id": self.open["id"], "output_index": len(self.items) - 1, "content_index": 0}
        return [*frames, self.frame("response.output_text.delta", **at, delta=text, logprobs=[])]

    def tool_call(self, fragment: dict[str, Any]) -> list[Frame]:
        """One OpenAI tool-call fragment; a new call (by its `index`) opens a `function_call` item."""
        function = fragment.get("function") or {}
        frames: list[Frame] = []
        if self.open is None or self.open["type"] != "function_call" or self.open_call != fragment.get("index", 0):
            call = {
                "type": "function_call",
                "id": f"fc_{uuid.uuid4().hex}",
                "call_id": fragment.get("id") or f"call_{uuid.uuid4().hex}",
                "name": function.get("name") or "",
                "arguments": "",
                "status": "in_progress",
            }
            frames = self._add(call)
            self.open_call = fragment.get("index", 0)
        assert self.open is not None
        if arguments := function.get("arguments"):
            self.open["arguments"] += arguments
            at = {"item_id": self.open["id"], "output_index": len(self.items) - 1}
            frames.append(self.frame("response.function_call_arguments.delta", **at, delta=arguments))
        return frames

    def whole(self, result: TurnResult) -> list[Frame]:
        """The answer's items at once, for an answer that was not streamed token by token (a designed workflow)."""
        frames: list[Frame] = []
        for item in output_of(result.answer):
            if item["type"] == "message":
                frames += self.text(item["content"][0]["text"])
            else:
                fragment = {"index": len(self.items), "id": item["call_id"], "function": item}
                frames += self.tool_call(fragment)
        return frames


def _pending(item: dict[str, Any]) -> dict[str, Any]:
    """An item as first announced: a message with no content yet, a call with no arguments yet."""
    if item["type"] == "message":
        return {**item, "content": []}
    return {**item, "arguments": ""}


async def response_frames(
    started: dict[str, Any], first: TurnEvent | None, events: AsyncGenerator[TurnEvent], finish: Finish
) -> AsyncGenerator[Frame]:
    """The events of one streamed response; `started` is the in-progress body, `first` the event the route
    already awaited. A failure after the status line is sent is an `error` event, as OpenAI sends it."""
    writer = OutputWriter()
    yield writer.frame("response.created", response=started)
    yield writer.frame("response.in_progress", response=started)
    try:
        event = first
        while event is not None:
            text = event.delta.text if event.delta is not None else event.token
            for frame in writer.text(text) if text else []:
                yield frame
            for fragment in (event.delta.tool_calls if event.delta is not None else None) or []:
                for frame in writer.tool_call(fragment):
                    yield frame
            if event.result is not None:
                for frame in (writer.whole(event.result) if not writer.items else []) + writer.close():
                    yield frame
                body = await finish(event.result, writer.items)
                yield writer.frame(f"response.{body['status']}", response=body)
                break
            event = await anext(events, None)
    except Exception as exc:  # the status line is already sent: report in-band
        error = as_openai_error(exc)
        yield writer.frame("error", code=error.code, message=error.message, param=error.param)
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()


async def stream_response_events(
    started: dict[str, Any], events: AsyncGenerator[TurnEvent], finish: Finish, *, send_timeout: float
) -> EventSourceResponse:
    """The SSE response of a streamed response (see `event_stream_response`)."""

    def frames_of(first: TurnEvent | None, rest: AsyncGenerator[TurnEvent]) -> AsyncGenerator[Frame]:
        return response_frames(started, first, rest, finish)

    return await event_stream_response(events, frames_of, send_timeout=send_timeout)
