"""`/sessions/**`: list, create, read, rename, clear, delete and clean up chat sessions."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AdminDep, ClientDep
from api.deps import GatewayDep, OwnedSession, PageDep, SessionId, SessionsDep
from api.errors import OpenAIError
from api.schemas.memory import SessionMemoryPublic
from api.schemas.sessions import (
    CleanupResult,
    SessionCreate,
    SessionPublic,
    SessionsPublic,
    SessionStatus,
    TitleUpdate,
    TitleUpdated,
)
from memory.sessions import SessionOrigin

router = APIRouter(prefix="/sessions", tags=["sessions"])

OriginQuery = Annotated[
    SessionOrigin | None,
    Query(description="named: sessions created under an id; conversation: those of clients that named none."),
]


@router.get("", response_model=SessionsPublic)
async def list_sessions(
    sessions: SessionsDep, caller: ClientDep, page: PageDep, origin: OriginQuery = None
) -> SessionsPublic:
    """A page of the caller's sessions, most recently active first, with the page's totals; `origin` keeps only
    the named ones or only those the gateway made for clients that named none."""
    listed = await sessions.list(caller.owner, limit=page.limit, offset=page.offset, origin=origin)
    return SessionsPublic.of_page(listed)


@router.post("", response_model=SessionPublic)
async def create_session(gateway: GatewayDep, caller: ClientDep, payload: SessionCreate | None = None) -> SessionPublic:
    """Start an empty session; a client may choose its id (an existing id is a 409) and, where the operator
    allows it, its memory backend."""
    payload = payload or SessionCreate()
    selectable = gateway.memory.selectable
    if payload.memory_backend is not None and payload.memory_backend not in selectable:
        message = f"memory_backend must be one of: {', '.join(selectable)}"
        raise OpenAIError(400, message, param="memory_backend", code="invalid_backend")
    session_id = payload.session_id or str(uuid.uuid4())
    async with gateway.runner.locked(session_id):  # no turn claims the id meanwhile
        if await gateway.sessions.get(session_id) is not None:
            raise OpenAIError(409, f"session '{session_id}' already exists", param="session_id", code="session_exists")
        record = await gateway.sessions.create(session_id, payload.title, payload.memory_backend, owner=caller.owner)
    return SessionPublic.of(record, [])


@router.post("/cleanup", response_model=CleanupResult)
async def cleanup_sessions(
    sessions: SessionsDep, _admin: AdminDep, max_age_minutes: Annotated[int, Query(ge=1, le=10_000_000)]
) -> CleanupResult:
    """Delete sessions (of every key) idle for longer than `max_age_minutes` (required: no default wipes
    history). Needs the admin key."""
    return CleanupResult(removed_sessions=await sessions.cleanup(timedelta(minutes=max_age_minutes)))


@router.get("/{session_id}", response_model=SessionPublic)
async def get_session(record: OwnedSession, sessions: SessionsDep) -> SessionPublic:
    """One session with its messages."""
    return SessionPublic.of(record, await sessions.messages(record.id))


@router.get("/{session_id}/memory", response_model=SessionMemoryPublic)
async def session_memory(record: OwnedSession, sessions: SessionsDep) -> SessionMemoryPublic:
    """What the session's memory backend holds (for debugging)."""
    return SessionMemoryPublic(session_id=record.id, **await sessions.memory.dump(record.id))


@router.delete("/{session_id}", response_model=SessionStatus)
async def delete_session(session_id: SessionId, gateway: GatewayDep, caller: ClientDep) -> SessionStatus:
    """Delete the session, its conversation and its memory; a turn in flight on it is stopped and rolled back."""
    async with gateway.runner.exclusive(session_id, caller.owner, abort=True) as record:
        await gateway.sessions.delete(record.id)
    return SessionStatus(status="deleted", session_id=record.id)


@router.post("/{session_id}/clear", response_model=SessionStatus)
async def clear_session(session_id: SessionId, gateway: GatewayDep, caller: ClientDep) -> SessionStatus:
    """Empty the conversation and memory; the session and its title stay. A turn in flight is stopped."""
    async with gateway.runner.exclusive(session_id, caller.owner, abort=True) as record:
        await gateway.sessions.clear(record)
    return SessionStatus(status="cleared", session_id=record.id)


@router.patch("/{session_id}/title", response_model=TitleUpdated)
async def update_title(
    session_id: SessionId, payload: TitleUpdate, gateway: GatewayDep, caller: ClientDep
) -> TitleUpdated:
    """Rename the session (after a turn in flight commits); the response echoes the title as stored."""
    async with gateway.runner.exclusive(session_id, caller.owner) as record:
        renamed = await gateway.sessions.rename(record, payload.title.strip() or payload.title)
    return TitleUpdated(session_id=record.id, title=renamed.title)
