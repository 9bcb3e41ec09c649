"""Wire shapes of `/sessions/**`, as the reference gateway (and the Studio front end) expect them."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from memory.sessions import SESSION_ID_PATTERN

TITLE_MAX_CHARS = 200


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_CHARS)
    session_id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN.pattern)
    memory_backend: str | None = Field(default=None, max_length=32)


class TitleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=TITLE_MAX_CHARS)


class SessionSummary(BaseModel):
    id: str
    title: str
    created_at: str
    last_active: str
    message_count: int


class SessionStats(BaseModel):
    total_sessions: int
    total_messages: int


class SessionsPublic(BaseModel):
    sessions: list[SessionSummary]
    stats: SessionStats


class SessionMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    timestamp: str | None
    metadata: dict[str, Any] = Field(default_factory=dict)


class SessionMetadata(BaseModel):
    title: str
    memory_backend: str | None = None


class SessionPublic(BaseModel):
    id: str
    messages: list[SessionMessage]
    created_at: str
    last_active: str
    metadata: SessionMetadata


class SessionStatus(BaseModel):
    status: Literal["cleared", "deleted"]
    session_id: str


class TitleUpdated(BaseModel):
    status: Literal["updated"] = "updated"
    session_id: str
    title: str


class CleanupResult(BaseModel):
    status: Literal["cleaned"] = "cleaned"
    removed_sessions: int
