"""`/memory/*`: which memory backends are configured, and what each session's memory holds."""

from typing import Any

from fastapi import APIRouter

from api.auth import ClientDep
from api.deps import ResourcesDep, SessionsDep, SettingsDep
from memory.backends import AVAILABLE_BACKENDS, SessionMemory

router = APIRouter(prefix="/memory", tags=["memory"])


@router.get("/config")
async def memory_config(settings: SettingsDep) -> dict[str, Any]:
    """The default backend, its window, its settings, and the backends sessions may choose."""
    return {
        "backend": settings.memory_backend,
        "max_dialogs": settings.memory_window,
        "config": {
            "window_turns": settings.memory_window,
            "max_tokens": settings.memory_max_tokens,
            "top_k": settings.memory_top_k,
            "selectable_per_session": settings.memory_backends_allowed,
        },
        "available_backends": list(AVAILABLE_BACKENDS),
    }


@router.get("/stats")
async def memory_stats(sessions: SessionsDep, resources: ResourcesDep, caller: ClientDep) -> dict[str, Any]:
    """Per session of the caller: its backend, the items and bytes it holds, its last write, its message count."""
    memory = resources.memory
    stats: dict[str, Any] = {}
    for record in await sessions.list(owner=caller.owner):
        usage = await memory.stats(record.id) if memory is not None else {}
        stats[record.id] = {**usage, "messages": record.message_count, "last_active": record.last_active}
        if isinstance(memory, SessionMemory):
            stats[record.id]["backend"] = record.memory_backend or memory.default
    return {"total_sessions": len(stats), "sessions": stats}
