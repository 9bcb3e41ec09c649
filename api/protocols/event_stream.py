"""How every protocol opens a streamed turn: one SSE response around that protocol's frames."""

from collections.abc import AsyncGenerator, Callable

from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from api.streaming import TurnEvent

Frames = Callable[[TurnEvent | None, AsyncGenerator[TurnEvent]], AsyncGenerator[dict[str, str] | bytes]]
"""A protocol's frames of a streamed turn, from its first answer event and the events after it (as sse-starlette
takes them: fields, or a frame already encoded)."""


async def event_stream_response(
    events: AsyncGenerator[TurnEvent], frames_of: Frames, *, send_timeout: float
) -> EventSourceResponse:
    """The SSE response of a streamed turn. The session event and the first answer event are awaited here, so a
    turn that fails before its first token (the backend is down) is an HTTP error, not a 200 with an error frame,
    and the `X-Session-Id` header names the session the turn runs in. A send that blocks for `send_timeout`
    seconds (a client that stopped reading) ends the response."""
    opened = await anext(events)
    headers = {"X-Session-Id": opened.session_id} if opened.session_id else {}
    first = await anext(events)
    frames = frames_of(first, events)
    # On a client disconnect sse-starlette stops iterating but does not close the generator: the background task
    # does, which cancels the turn and the upstream call at once.
    return EventSourceResponse(
        frames, headers=headers, ping=15, send_timeout=send_timeout, background=BackgroundTask(frames.aclose)
    )
