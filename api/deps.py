"""Request dependencies: typed aliases for what the lifespan built (`app.state.gateway`) and the lookups routes
share (the caller's session, the served models), so no route imports another."""

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Path, Query, Request

from api.auth import ClientDep
from api.errors import OpenAIError, session_not_found
from api.gateway import Gateway
from api.served_models import ServedModels
from ingest.service import IndexService
from memory.sessions import SESSION_ID_PATTERN, SessionRecord, SessionRegistry


async def get_gateway(request: Request) -> Gateway:
    return cast(Gateway, request.app.state.gateway)


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def get_sessions(gateway: GatewayDep) -> SessionRegistry:
    return gateway.sessions


async def get_served_models(gateway: GatewayDep) -> ServedModels:
    return gateway.served


async def get_index(gateway: GatewayDep) -> IndexService:
    """The RAG index service, or a 503 when this gateway has none."""
    index = gateway.resources.models.index
    if index is None:
        raise OpenAIError(503, "this gateway has no index configured", code="index_unavailable")
    return index


SessionsDep = Annotated[SessionRegistry, Depends(get_sessions)]
ServedModelsDep = Annotated[ServedModels, Depends(get_served_models)]
IndexDep = Annotated[IndexService, Depends(get_index)]

SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN.pattern, description="A session id (safe slug).")]


async def caller_session(session_id: str, sessions: SessionRegistry, owner: str) -> SessionRecord:
    """The caller's session, or the same 404 for a missing session and another key's."""
    record = await sessions.owned(session_id, owner)
    if record is None:
        raise session_not_found(session_id)
    return record


async def get_owned_session(session_id: SessionId, sessions: SessionsDep, caller: ClientDep) -> SessionRecord:
    return await caller_session(session_id, sessions, caller.owner)


OwnedSession = Annotated[SessionRecord, Depends(get_owned_session)]


DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class PageQuery:
    """Which page of a listing the caller asks for (`?limit=&offset=`)."""

    limit: int
    offset: int


async def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Sessions per page.")] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Sessions to skip (see `next_offset`).")] = 0,
) -> PageQuery:
    return PageQuery(limit=limit, offset=offset)


PageDep = Annotated[PageQuery, Depends(get_page)]
