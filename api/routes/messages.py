"""`POST /v1/messages` (Anthropic's Messages API) and its `count_tokens`: the same turn as a chat completion,
through Anthropic's request, response, stream and error shapes."""

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response
from sse_starlette import EventSourceResponse

from api.auth import ClientDep
from api.deps import GatewayDep
from api.json_bodies import model_json
from api.protocols.anthropic_messages import (
    CountTokensRequest,
    MessageOut,
    MessagesRequest,
    TokenCount,
    count_tokens,
    message_of,
    turn_request,
)
from api.protocols.anthropic_stream import stream_message

router = APIRouter(prefix="/v1", tags=["messages"])


@router.post("/messages", response_model=MessageOut)
async def create_message(
    body: MessagesRequest,
    gateway: GatewayDep,
    caller: ClientDep,
    x_session_id: Annotated[str | None, Header()] = None,
) -> Response | EventSourceResponse:
    """Answer one turn in a session (created when new), as an Anthropic message or its event stream."""
    model = gateway.served.resolve(body.model)
    turn = turn_request(body, session_id=x_session_id, max_tokens_cap=gateway.max_tokens_cap)
    if not body.stream:
        result = await gateway.runner.run(turn, caller)
        headers = {"X-Session-Id": result.session_id} if result.session_id else {}
        return model_json(message_of(result, model), headers=headers)
    send_timeout = gateway.runner.limits.stream_send_timeout_seconds
    return await stream_message(gateway.runner.stream(turn, caller), model, send_timeout=send_timeout)


@router.post("/messages/count_tokens", response_model=TokenCount)
async def count_message_tokens(body: CountTokensRequest, gateway: GatewayDep, caller: ClientDep) -> TokenCount:
    """How many input tokens the request's prompt is (estimated as the gateway estimates usage)."""
    gateway.served.resolve(body.model)
    return TokenCount(input_tokens=count_tokens(body))
