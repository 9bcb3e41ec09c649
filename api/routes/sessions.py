"""`/sessions/**`: list, create, read, rename, clear, delete and clean up chat sessions."""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from api.auth import AdminDep, Caller, ClientDep
from api.deps import SessionsDep, SettingsDep
from api.errors import OpenAIError
from api.session_schema import (
    CleanupResult,
    SessionCreate,
    SessionMessage,
    SessionMetadata,
    SessionPublic,
    SessionsPublic,
    SessionStats,
    SessionStatus,
    SessionSummary,
    TitleUpdate,
    TitleUpdated,
)
from memory.sessions import SESSION_ID_PATTERN, SessionRecord, SessionRegistry
from nodes.turns import message_text

router = APIRouter(prefix="/sessions", tags=["sessions"])

SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN.pattern, description="A session id (safe slug).")]


def session_not_found(session_id: str) -> OpenAIError:
    """The OpenAI-shaped 404 every route gives for a session that does not exist or belongs to another key (so a
    caller cannot even learn that it exists)."""
    return OpenAIError(404, f"session '{session_id}' not found", param="session_id", code="session_not_found")


async def existing_session(sessions: SessionRegistry, session_id: str, caller: Caller) -> SessionRecord:
    """The caller's session, or `session_not_found`."""
    record = await sessions.get(session_id)
    if record is None or record.owner != caller.owner:
        raise session_not_found(session_id)
    return record


def _public_messages(messages: Sequence[AnyMessage]) -> list[SessionMessage]:
    shaped = []
    for message in messages:
        if isinstance(message, HumanMessage | AIMessage):
            role = "user" if isinstance(message, HumanMessage) else "assistant"
            shaped.append(
                SessionMessage(
                    role=role,
                    content=message_text(message),
                    timestamp=message.response_metadata.get("created_at"),
                    metadata={"id": message.id},
                )
            )
    return shaped


def _public(record: SessionRecord, messages: Sequence[AnyMessage]) -> SessionPublic:
    return SessionPublic(
        id=record.id,
        messages=_public_messages(messages),
        created_at=record.created_at,
        last_active=record.last_active,
        metadata=SessionMetadata(title=record.title, memory_backend=record.memory_backend),
    )


@router.get("", response_model=SessionsPublic)
async def list_sessions(sessions: SessionsDep, caller: ClientDep) -> SessionsPublic:
    """The caller's sessions, most recently active first, with totals."""
    records = await sessions.list(owner=caller.owner)
    summaries = [SessionSummary(**{k: getattr(r, k) for k in SessionSummary.model_fields}) for r in records]
    stats = SessionStats(total_sessions=len(records), total_messages=sum(r.message_count for r in records))
    return SessionsPublic(sessions=summaries, stats=stats)


@router.post("", response_model=SessionPublic)
async def create_session(
    sessions: SessionsDep, settings: SettingsDep, caller: ClientDep, payload: SessionCreate | None = None
) -> SessionPublic:
    """Start an empty session; a client may choose its id (an existing id is a 409) and, where the operator
    allows it, its memory backend."""
    payload = payload or SessionCreate()
    session_id = payload.session_id or uuid.uuid4().hex
    backend = payload.memory_backend
    if backend is not None and backend not in settings.memory_backends_allowed:
        allowed = ", ".join(settings.memory_backends_allowed)
        raise OpenAIError(
            400, f"memory_backend must be one of: {allowed}", param="memory_backend", code="invalid_backend"
        )
    if payload.session_id and await sessions.get(session_id) is not None:
        raise OpenAIError(409, f"session '{session_id}' already exists", param="session_id", code="session_exists")
    return _public(await sessions.create(session_id, payload.title, backend, owner=caller.owner), [])


@router.post("/cleanup", response_model=CleanupResult)
async def cleanup_sessions(
    sessions: SessionsDep, _admin: AdminDep, max_age_minutes: Annotated[int, Query(ge=1, le=10_000_000)]
) -> CleanupResult:
    """Delete sessions (of every key) idle for longer than `max_age_minutes` (required: no default wipes
    history). Needs the admin key."""
    return CleanupResult(removed_sessions=await sessions.cleanup(timedelta(minutes=max_age_minutes)))


@router.get("/{session_id}", response_model=SessionPublic)
async def get_session(session_id: SessionId, sessions: SessionsDep, caller: ClientDep) -> SessionPublic:
    """One session with its messages."""
    record = await existing_session(sessions, session_id, caller)
    return _public(record, await sessions.messages(session_id))


@router.get("/{session_id}/memory")
async def session_memory(session_id: SessionId, sessions: SessionsDep, caller: ClientDep) -> dict[str, Any]:
    """What the session's memory backend holds (for debugging)."""
    record = await existing_session(sessions, session_id, caller)
    return {"session_id": session_id, **await sessions.memory.dump(record.id)}


@router.delete("/{session_id}", response_model=SessionStatus)
async def delete_session(session_id: SessionId, sessions: SessionsDep, caller: ClientDep) -> SessionStatus:
    """Delete the session, its conversation and its memory."""
    await existing_session(sessions, session_id, caller)
    await sessions.delete(session_id)
    return SessionStatus(status="deleted", session_id=session_id)


@router.post("/{session_id}/clear", response_model=SessionStatus)
async def clear_session(session_id: SessionId, sessions: SessionsDep, caller: ClientDep) -> SessionStatus:
    """Empty the conversation and memory; the session and its title stay."""
    await sessions.clear(await existing_session(sessions, session_id, caller))
    return SessionStatus(status="cleared", session_id=session_id)


@router.patch("/{session_id}/title", response_model=TitleUpdated)
async def update_title(
    session_id: SessionId, payload: TitleUpdate, sessions: SessionsDep, caller: ClientDep
) -> TitleUpdated:
    """Rename the session; the response echoes the title as stored."""
    record = await existing_session(sessions, session_id, caller)
    record = await sessions.rename(record, payload.title.strip() or payload.title)
    return TitleUpdated(session_id=session_id, title=record.title)
