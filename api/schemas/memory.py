"""Wire shapes of `/memory/*` and `GET /sessions/{id}/memory`."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from api.schemas.sessions import PageInfo


class MemorySettings(BaseModel):
    window_turns: int
    max_tokens: int
    top_k: int
    selectable_per_session: list[str]


class MemoryConfigPublic(BaseModel):
    """The default backend, its window (as the reference gateway's `max_dialogs`), its settings, and the backends
    the gateway has."""

    backend: str
    max_dialogs: int
    config: MemorySettings
    available_backends: list[str]


class MemoryStatsPublic(PageInfo):
    total_sessions: int
    """Sessions in this page."""
    sessions: dict[str, dict[str, Any]]
    """Per session: its backend, the items and bytes it holds, its last write, its message count and activity."""


class SessionMemoryPublic(BaseModel):
    """Everything a session's memory backend holds (backend-specific fields beside `session_id`)."""

    model_config = ConfigDict(extra="allow")
    session_id: str
