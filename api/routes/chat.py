"""`POST /v1/chat/completions`: translate the request into a turn, run it, answer as JSON or as an SSE stream."""

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response
from sse_starlette import EventSourceResponse

from api.auth import ClientDep
from api.deps import GatewayDep
from api.json_bodies import model_json
from api.protocols.openai_chat import ChatCompletion, ChatCompletionRequest, completion_of, turn_request
from api.protocols.openai_chat_stream import stream_response

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post("/chat/completions", response_model=ChatCompletion)
async def create_chat_completion(
    body: ChatCompletionRequest,
    gateway: GatewayDep,
    caller: ClientDep,
    x_session_id: Annotated[str | None, Header()] = None,
) -> Response | EventSourceResponse:
    """Answer one chat turn in a session (created when new), as a JSON completion or an SSE stream."""
    model = gateway.served.resolve(body.model)
    session_id = body.session_id or x_session_id
    turn = turn_request(
        body, session_id=session_id, max_tokens_cap=gateway.max_tokens_cap, capabilities=gateway.served.capabilities
    )
    if not body.stream:
        result = await gateway.runner.run(turn, caller)
        headers = {"X-Session-Id": result.session_id} if result.session_id else {}
        return model_json(completion_of(result, model), headers=headers)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    send_timeout = gateway.runner.limits.stream_send_timeout_seconds
    events = gateway.runner.stream(turn, caller)
    return await stream_response(events, model, include_usage=include_usage, send_timeout=send_timeout)
