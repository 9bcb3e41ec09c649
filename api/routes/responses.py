"""`/v1/responses` and `/v1/conversations` (OpenAI's Responses API): the same turn as a chat completion, with
responses and conversations mapped onto sessions and their checkpoints."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from api.auth import ClientDep
from api.deps import GatewayDep
from api.protocols.openai_responses import ResponseRequest, response_body
from api.protocols.openai_responses_stream import stream_response_events
from api.turn_result import TurnResult

router = APIRouter(prefix="/v1", tags=["responses"])


class ResponseObject(BaseModel):
    """A `response` (its fields as OpenAI defines them; see `api.protocols.openai_responses.response_body`)."""

    model_config = ConfigDict(extra="allow")
    id: str
    object: str


class ItemList(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: str
    data: list[dict[str, Any]]


@router.post("/responses", response_model=ResponseObject)
async def create_response(body: ResponseRequest, gateway: GatewayDep, caller: ClientDep) -> Any:
    """Answer one turn as a `response`: continuing `previous_response_id` or `conversation`, or a new session."""
    model = gateway.served.resolve(body.model)
    prepared = await gateway.responses.prepare(body, caller, max_tokens_cap=gateway.max_tokens_cap)
    if not body.stream:
        made = await gateway.responses.create(prepared, caller, model)
        return JSONResponse(made, headers={"X-Session-Id": made["session_id"]} if made["session_id"] else {})

    async def finish(result: TurnResult, output: list[dict[str, Any]]) -> dict[str, Any]:
        return await gateway.responses.finish(prepared, result, model, caller, output)

    started = response_body(body, prepared.response_id, model, result=None, conversation=prepared.conversation)
    send_timeout = gateway.runner.limits.stream_send_timeout_seconds
    events = gateway.runner.stream(prepared.turn, caller)
    return await stream_response_events(started, events, finish, send_timeout=send_timeout)


@router.get("/responses/{response_id}", response_model=ResponseObject)
async def get_response(response_id: str, gateway: GatewayDep, caller: ClientDep) -> JSONResponse:
    """A stored response, as it was returned."""
    return JSONResponse((await gateway.responses.stored(response_id, caller)).body)


@router.delete("/responses/{response_id}", response_model=ResponseObject)
async def delete_response(response_id: str, gateway: GatewayDep, caller: ClientDep) -> JSONResponse:
    """Forget a stored response (the session's conversation stays)."""
    await gateway.responses.delete(response_id, caller)
    return JSONResponse({"id": response_id, "object": "response", "deleted": True})


@router.get("/responses/{response_id}/input_items", response_model=ItemList)
async def list_input_items(response_id: str, gateway: GatewayDep, caller: ClientDep) -> JSONResponse:
    """The input items the response was made from."""
    items = (await gateway.responses.stored(response_id, caller)).input_items
    first, last = (items[0]["id"], items[-1]["id"]) if items else (None, None)
    return JSONResponse({"object": "list", "data": items, "first_id": first, "last_id": last, "has_more": False})
