"""`POST /v1/chat/completions`: translate the request into a turn, run it, answer as JSON or as an SSE stream."""

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from api.auth import ClientDep
from api.deps import GatewayDep
from api.protocols.openai_chat import ChatCompletion, ChatCompletionRequest, completion_of, turn_request
from api.protocols.openai_chat_stream import ChunkWriter, sse_frames

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post("/chat/completions", response_model=ChatCompletion)
async def create_chat_completion(
    body: ChatCompletionRequest,
    gateway: GatewayDep,
    caller: ClientDep,
    x_session_id: Annotated[str | None, Header()] = None,
) -> JSONResponse | EventSourceResponse:
    """Answer one chat turn in a session (created when new), as a JSON completion or an SSE stream."""
    model = gateway.served.resolve(body.model)
    turn = turn_request(body, session_id=body.session_id or x_session_id, max_tokens_cap=gateway.max_tokens_cap)
    headers = {"X-Session-Id": turn.session_id}
    if not body.stream:
        result = await gateway.runner.run(turn, caller)
        return JSONResponse(completion_of(result, model).model_dump(), headers=headers)
    events = gateway.runner.stream(turn, caller)
    first = await anext(events)  # fail before the 200 when the backend is down
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    frames = sse_frames(first, events, ChunkWriter(model), include_usage=include_usage)
    # On a client disconnect sse-starlette stops iterating but does not close the generator: the background task
    # does, which cancels the turn and the upstream call at once.
    return EventSourceResponse(frames, headers=headers, ping=15, background=BackgroundTask(frames.aclose))
