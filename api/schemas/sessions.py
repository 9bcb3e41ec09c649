"""Wire shapes of `/sessions/**`, as the reference gateway (and the Studio front end) expect them."""

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, ConfigDict, Field

from api.schemas.omitted import absent
from memory.sessions import SESSION_ID_PATTERN, SessionOrigin, SessionPage, SessionRecord

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
    origin: SessionOrigin

    @classmethod
    def of(cls, record: SessionRecord) -> "SessionSummary":
        return cls(
            id=record.id,
            title=record.title,
            created_at=record.created_at,
            last_active=record.last_active,
            message_count=record.message_count,
            origin=record.origin,
        )


class SessionStats(BaseModel):
    total_sessions: int
    total_messages: int

    @classmethod
    def of(cls, records: Sequence[SessionRecord]) -> "SessionStats":
        return cls(total_sessions=len(records), total_messages=sum(r.message_count for r in records))


class PageInfo(BaseModel):
    """Where a page sits in a listing: `next_offset` asks for the next one (None on the last page)."""

    offset: int
    limit: int
    has_more: bool
    next_offset: int | None

    @classmethod
    def of(cls, page: SessionPage) -> "PageInfo":
        next_offset = page.offset + len(page.records) if page.has_more else None
        return cls(offset=page.offset, limit=page.limit, has_more=page.has_more, next_offset=next_offset)


class SessionsPublic(PageInfo):
    sessions: list[SessionSummary]
    stats: SessionStats
    """Totals of the sessions in this page (totals of all of a key's sessions would read every one of them)."""

    @classmethod
    def of_page(cls, page: SessionPage) -> "SessionsPublic":
        sessions = [SessionSummary.of(record) for record in page.records]
        return cls(sessions=sessions, stats=SessionStats.of(page.records), **PageInfo.of(page).model_dump())


class SessionMessage(BaseModel):
    """One stored message; an answer that called tools lists the calls, a tool result names the call it answers."""

    role: Literal["user", "assistant", "tool"]
    content: str
    timestamp: str | None
    metadata: dict[str, Any] = Field(default_factory=dict)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, exclude_if=absent)
    tool_call_id: str | None = Field(default=None, exclude_if=absent)

    @classmethod
    def of(cls, message: HumanMessage | AIMessage | ToolMessage) -> "SessionMessage":
        role: Literal["user", "assistant", "tool"] = (
            "user" if isinstance(message, HumanMessage) else "tool" if isinstance(message, ToolMessage) else "assistant"
        )
        calls = message.tool_calls if isinstance(message, AIMessage) else []
        return cls(
            role=role,
            content=message.text,
            timestamp=message.response_metadata.get("created_at"),
            metadata={"id": message.id},
            tool_calls=[{"id": c.get("id"), "name": c["name"], "args": c["args"]} for c in calls] or None,
            tool_call_id=message.tool_call_id if isinstance(message, ToolMessage) else None,
        )


class SessionMetadata(BaseModel):
    title: str
    memory_backend: str | None = None


class SessionPublic(BaseModel):
    id: str
    messages: list[SessionMessage]
    created_at: str
    last_active: str
    metadata: SessionMetadata

    @classmethod
    def of(cls, record: SessionRecord, messages: Sequence[AnyMessage]) -> "SessionPublic":
        """The session with its user, assistant and tool messages (the conversation as the client saw it)."""
        return cls(
            id=record.id,
            messages=[SessionMessage.of(m) for m in messages if isinstance(m, HumanMessage | AIMessage | ToolMessage)],
            created_at=record.created_at,
            last_active=record.last_active,
            metadata=SessionMetadata(title=record.title, memory_backend=record.memory_backend),
        )


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
