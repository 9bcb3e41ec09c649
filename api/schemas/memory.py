"""Wire shapes of `/memory/*` and `GET /sessions/{id}/memory`."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.sessions import PageInfo
from memory.facts.ledger import Fact
from memory.scopes import ScopeKind


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


class MemoryEvent(BaseModel):
    """One change of a memory: ADD, UPDATE or DELETE, the value before and after, what was said, by whom."""

    event: str
    object: str | None
    previous: str | None
    at: str
    said: str = ""
    source: str = ""


class MemoryItemPublic(BaseModel):
    """One remembered fact: `subject`'s `predicate` is `value` (`text` is how the model is told it)."""

    id: str
    scope: ScopeKind
    subject: str
    predicate: str
    value: str
    text: str
    said: str
    source: str
    session_id: str
    created_at: str
    updated_at: str
    deleted: bool

    @classmethod
    def of(cls, fact: Fact, scope: ScopeKind) -> "MemoryItemPublic":
        return cls(
            id=fact.id,
            scope=scope,
            subject=fact.subject,
            predicate=fact.predicate,
            value=fact.object,
            text=fact.text,
            said=fact.said,
            source=fact.source,
            session_id=fact.session_id,
            created_at=fact.created_at,
            updated_at=fact.updated_at,
            deleted=fact.retracted,
        )


class MemoryItemsPublic(PageInfo):
    items: list[MemoryItemPublic]
    total: int
    """Items in the scope (for a search: items found)."""

    @classmethod
    def of_page(
        cls, facts: list[Fact], total: int, scope: ScopeKind, *, offset: int, limit: int
    ) -> "MemoryItemsPublic":
        more = offset + len(facts) < total
        return cls(
            items=[MemoryItemPublic.of(fact, scope) for fact in facts],
            total=total,
            offset=offset,
            limit=limit,
            has_more=more,
            next_offset=offset + len(facts) if more else None,
        )


class MemoryHistoryPublic(BaseModel):
    id: str
    history: list[MemoryEvent]


class MemoryItemCreate(BaseModel):
    """A sentence to remember ("My e-mail is ada@example.org": the facts it states, else the sentence as a
    note), or a fact given whole (`predicate` and `value`, `subject` defaulting to the user)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    predicate: str | None = Field(default=None, min_length=1, max_length=80)
    value: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _one_form(self) -> "MemoryItemCreate":
        if not self.text and not (self.predicate and self.value):
            raise ValueError("give text, or predicate and value")
        return self


class MemoryItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=1000)


class MemoryItemDeleted(BaseModel):
    id: str
    deleted: bool
