"""`/memory/*`: which memory backends are configured, and what each of the caller's sessions' memory holds."""

from fastapi import APIRouter

from api.auth import ClientDep
from api.deps import GatewayDep, PageDep, SessionsDep
from api.schemas.memory import MemoryConfigPublic, MemorySettings, MemoryStatsPublic
from api.schemas.sessions import PageInfo
from memory.backends import AVAILABLE_BACKENDS

router = APIRouter(prefix="/memory", tags=["memory"])


@router.get("/config", response_model=MemoryConfigPublic)
async def memory_config(gateway: GatewayDep) -> MemoryConfigPublic:
    """The default backend, its window, its settings, and the backends sessions may choose."""
    memory = gateway.memory
    settings = MemorySettings(
        window_turns=memory.window_turns,
        max_tokens=memory.max_tokens,
        top_k=memory.top_k,
        selectable_per_session=list(memory.selectable),
    )
    return MemoryConfigPublic(
        backend=memory.default_backend,
        max_dialogs=memory.window_turns,
        config=settings,
        available_backends=list(AVAILABLE_BACKENDS),
    )


@router.get("/stats", response_model=MemoryStatsPublic)
async def memory_stats(sessions: SessionsDep, caller: ClientDep, page: PageDep) -> MemoryStatsPublic:
    """Per session of a page of the caller's (as `GET /sessions` pages them): its backend, the items and bytes it
    holds, its last write, its message count."""
    listed = await sessions.list(caller.owner, limit=page.limit, offset=page.offset)
    usage = await sessions.memory_usage(listed)
    return MemoryStatsPublic(total_sessions=len(usage), sessions=usage, **PageInfo.of(listed).model_dump())
