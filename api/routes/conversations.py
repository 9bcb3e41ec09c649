"""`/v1/conversations` (OpenAI's Responses API): a conversation is a session, under the session's id."""

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from api.auth import ClientDep
from api.deps import GatewayDep
from api.errors import OpenAIError
from api.responses import conversation_not_found
from memory.sessions import SessionRecord

router = APIRouter(prefix="/v1", tags=["conversations"])


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[dict[str, object]] | None = None
    metadata: dict[str, str] | None = None


class Conversation(BaseModel):
    id: str
    object: str = "conversation"
    created_at: int
    metadata: dict[str, str]


class ConversationDeleted(BaseModel):
    id: str
    object: str = "conversation.deleted"
    deleted: bool = True


def _conversation(record: SessionRecord) -> Conversation:
    return Conversation(
        id=record.id, created_at=int(datetime.fromisoformat(record.created_at).timestamp()), metadata={}
    )


@router.post("/conversations", response_model=Conversation)
async def create_conversation(body: ConversationIn, gateway: GatewayDep, caller: ClientDep) -> Conversation:
    """A new, empty session, to pass as `conversation` to `POST /v1/responses`."""
    for name in ("items", "metadata", *(body.model_extra or {})):
        if getattr(body, name, None) or (body.model_extra or {}).get(name):
            raise OpenAIError(400, f"{name}: not supported by this gateway", param=name, code="unsupported_parameter")
    record = await gateway.sessions.create(str(uuid.uuid4()), owner=caller.owner)
    return _conversation(record)


@router.get("/conversations/{conversation_id}", response_model=Conversation)
async def get_conversation(conversation_id: str, gateway: GatewayDep, caller: ClientDep) -> Conversation:
    record = await gateway.sessions.owned(conversation_id, caller.owner)
    if record is None:
        raise conversation_not_found(conversation_id)
    return _conversation(record)


@router.delete("/conversations/{conversation_id}", response_model=ConversationDeleted)
async def delete_conversation(conversation_id: str, gateway: GatewayDep, caller: ClientDep) -> ConversationDeleted:
    """Delete the session (its conversation and memory), as `DELETE /sessions/{id}` does."""
    if await gateway.sessions.owned(conversation_id, caller.owner) is None:
        raise conversation_not_found(conversation_id)
    async with gateway.runner.exclusive(conversation_id, caller.owner, abort=True) as record:
        await gateway.sessions.delete(record.id)
    return ConversationDeleted(id=conversation_id)
