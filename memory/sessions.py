"""The session registry: one store item per session, the conversation itself in the checkpointer.

A session is a LangGraph thread (`thread_id == session_id`). The registry item holds what listing needs without
loading every thread (title, timestamps, message count) and is written once per turn, never by reads.
"""

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from langchain_core.messages import AnyMessage
from langchain_core.runnables import RunnableConfig
from langgraph.store.base import BaseStore, GetOp
from langgraph.types import StateSnapshot

from memory.backends import SessionMemory
from memory.backends.base import MemoryBackend
from memory.backends.stored import MEMORY_PREFIX
from memory.checkpointer import Checkpointer

SESSIONS_NAMESPACE = ("sessions",)
SessionOrigin = Literal["named", "conversation"]
CONVERSATIONS_NAMESPACE = "conversations"
"""Under ("conversations", owner): conversation digest -> the session a client that never named one is in."""
DEFAULT_TITLE = "New Chat"
AUTO_TITLE_CHARS = 60
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_PAGE = 500


def is_valid_session_id(session_id: str) -> bool:
    """Session ids are safe slugs (letters, digits, `_`, `-`), so they never act as paths or patterns."""
    return bool(SESSION_ID_PATTERN.fullmatch(session_id))


def now_iso() -> str:
    """A timezone-aware UTC timestamp."""
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class SessionRecord:
    """The registry's view of one session."""

    id: str
    title: str
    created_at: str
    last_active: str
    message_count: int
    title_is_default: bool
    memory_backend: str | None = None
    owner: str = ""
    """Fingerprint of the API key that created the session ("" when the gateway runs without keys)."""
    origin: SessionOrigin = "named"
    """`named`: created under an id (by POST /sessions or a turn naming it); `conversation`: made by the gateway
    for a client that named none (found again by the conversation it resends)."""

    @classmethod
    def from_item(cls, session_id: str, value: dict[str, Any]) -> "SessionRecord":
        return cls(
            id=session_id,
            title=value["title"],
            created_at=value["created_at"],
            last_active=value["last_active"],
            message_count=value.get("message_count", 0),
            title_is_default=value.get("title_is_default", False),
            memory_backend=value.get("memory_backend"),
            owner=value.get("owner", ""),
            origin=value.get("origin", "named"),
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "created_at": self.created_at,
            "last_active": self.last_active,
            "message_count": self.message_count,
            "title_is_default": self.title_is_default,
            "memory_backend": self.memory_backend,
            "owner": self.owner,
            "origin": self.origin,
        }


def _conversations(owner: str) -> tuple[str, str]:
    return (CONVERSATIONS_NAMESPACE, owner or "-")  # a store label may not be empty; "-" is no key fingerprint


def session_memory_choice(store: BaseStore) -> Callable[[str], Awaitable[str | None]]:
    """How `SessionMemory` learns the backend a session picked at creation: from its registry record."""

    async def choice(session_id: str) -> str | None:
        item = await store.aget(SESSIONS_NAMESPACE, session_id)
        return item.value.get("memory_backend") if item else None

    return choice


def auto_title(first_user_text: str) -> str:
    """A title from the first user message: one line, at most `AUTO_TITLE_CHARS` characters."""
    line = " ".join(first_user_text.split())
    return line if len(line) <= AUTO_TITLE_CHARS else line[: AUTO_TITLE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class SessionPage:
    """One page of a caller's sessions, in the store's order, and whether more follow it."""

    records: list[SessionRecord]
    offset: int
    limit: int
    has_more: bool


class ThreadStates(Protocol):
    """Reads and writes a thread's state as the graph sees it: the compiled graph (`CompiledStateGraph`)."""

    async def aget_state(self, config: RunnableConfig, *, subgraphs: bool = False) -> StateSnapshot: ...

    async def aupdate_state(
        self, config: RunnableConfig, values: dict[str, Any] | Any | None, as_node: str | None = None
    ) -> RunnableConfig: ...


class ThreadDirectory(Protocol):
    """A list of threads kept beside the checkpointer, told as sessions come and go: the LangGraph Agent
    Server's, whose `threads.search` reads its own table and never the checkpoints."""

    async def register(self, session_id: str) -> None: ...

    async def forget(self, session_id: str) -> None: ...


class NoThreadDirectory:
    """No list to keep (the plain gateway)."""

    async def register(self, session_id: str) -> None:
        return None

    async def forget(self, session_id: str) -> None:
        return None


NO_THREAD_DIRECTORY = NoThreadDirectory()


class SessionRegistry:
    """Create, list, read, rename, clear and delete sessions across the store, checkpointer and memory.

    Conversations are read through the compiled graph (`states`), which applies the state's channels and
    reducers, rather than from raw checkpoints. `threads` is told of every session created and deleted.
    """

    def __init__(
        self,
        store: BaseStore,
        checkpointer: Checkpointer,
        memory: MemoryBackend,
        states: ThreadStates,
        *,
        threads: ThreadDirectory = NO_THREAD_DIRECTORY,
    ) -> None:
        self.store = store
        self.checkpointer = checkpointer
        self.memory = memory
        self.states = states
        self.directory = threads

    async def ping(self) -> None:
        """One cheap read that fails when the store cannot answer (readiness probes call it often)."""
        await self.store.aget(SESSIONS_NAMESPACE, "-")  # "-" is never a session id

    async def get(self, session_id: str) -> SessionRecord | None:
        item = await self.store.aget(SESSIONS_NAMESPACE, session_id)
        return SessionRecord.from_item(session_id, item.value) if item else None

    async def owned(self, session_id: str, owner: str) -> SessionRecord | None:
        """The session if it exists and belongs to `owner`; None otherwise (another key's session is not told
        apart from a missing one)."""
        record = await self.get(session_id)
        return record if record is not None and record.owner == owner else None

    async def record_turn(
        self,
        session_id: str,
        record: SessionRecord | None,
        *,
        message_count: int,
        first_user_text: str,
        owner: str,
        origin: SessionOrigin = "named",
    ) -> SessionRecord:
        """Update the registry after a turn: activity time, message count (the thread's, as checkpointed), and the
        title while still default.

        `record` is the session as read before the turn (under its lock); None registers a session created by
        this turn, which then belongs to `owner`.
        """
        timestamp = now_iso()
        before = record or SessionRecord(
            session_id, DEFAULT_TITLE, timestamp, timestamp, 0, True, owner=owner, origin=origin
        )
        after = replace(before, last_active=timestamp, message_count=message_count)
        if after.title_is_default and first_user_text.strip():
            after = replace(after, title=auto_title(first_user_text), title_is_default=False)
        await self.store.aput(SESSIONS_NAMESPACE, session_id, after.to_item(), index=False)
        if record is None:
            await self.directory.register(session_id)
        return after

    async def create(
        self, session_id: str, title: str | None = None, memory_backend: str | None = None, owner: str = ""
    ) -> SessionRecord:
        """Register a new session (an explicit title is kept; otherwise the first message names it)."""
        timestamp = now_iso()
        record = SessionRecord(
            session_id, title or DEFAULT_TITLE, timestamp, timestamp, 0, title is None, memory_backend, owner
        )
        await self.store.aput(SESSIONS_NAMESPACE, session_id, record.to_item(), index=False)
        await self.directory.register(session_id)
        return record

    async def list(
        self, owner: str, *, limit: int, offset: int = 0, origin: SessionOrigin | None = None
    ) -> SessionPage:
        """One page of `owner`'s sessions, most recently active first. The store filters by owner, orders and
        slices: nothing outside the page (and one item past it, to tell whether more follow) is read.

        The order is the store's, `updated_at DESC` (on SQLite to the millisecond: see
        `memory.sqlite_offload.UPDATED_AT_IN_MILLISECONDS`; in memory through `RecentFirstInMemoryStore`). The
        registry item is written by every turn and by create, clear and rename, so this is the order of last
        activity, a rename counting as activity.
        """
        wanted: dict[str, Any] = {"owner": owner} if origin is None else {"owner": owner, "origin": origin}
        items = await self.store.asearch(SESSIONS_NAMESPACE, filter=wanted, limit=limit + 1, offset=offset)
        records = [SessionRecord.from_item(item.key, item.value) for item in items[:limit]]
        return SessionPage(records, offset=offset, limit=limit, has_more=len(items) > limit)

    async def memory_usage(self, page: SessionPage) -> dict[str, dict[str, Any]]:
        """Per session of `page`: what its memory backend holds (items, bytes, last write), its message count, its
        last activity and its backend."""
        usage: dict[str, dict[str, Any]] = {}
        for record in page.records:
            stats = await self.memory.stats(record.id)
            usage[record.id] = {**stats, "messages": record.message_count, "last_active": record.last_active}
            if isinstance(self.memory, SessionMemory):
                usage[record.id]["backend"] = record.memory_backend or self.memory.default
        return usage

    async def channel(self, session_id: str, name: str) -> Any:
        """One state value of the session's thread (None when absent)."""
        snapshot = await self.states.aget_state({"configurable": {"thread_id": session_id}})
        return snapshot.values.get(name) if isinstance(snapshot.values, dict) else None

    async def head(self, session_id: str) -> str | None:
        """The session's current checkpoint (its newest), None for a session with no turn yet."""
        snapshot = await self.states.aget_state({"configurable": {"thread_id": session_id}})
        return snapshot.config.get("configurable", {}).get("checkpoint_id") if snapshot.config else None

    async def fork(self, source: str, checkpoint_id: str, owner: str, *, as_node: str) -> SessionRecord:
        """A new session of `owner` holding the conversation of `source` as it was at `checkpoint_id`: a
        branch that continues from there without touching `source` (whose later turns it does not see)."""
        config: RunnableConfig = {"configurable": {"thread_id": source, "checkpoint_id": checkpoint_id}}
        snapshot = await self.states.aget_state(config)
        messages = list(snapshot.values.get("messages") or []) if isinstance(snapshot.values, dict) else []
        original = await self.get(source)
        record = await self.create(str(uuid.uuid4()), title=original.title if original else None, owner=owner)
        await self.states.aupdate_state({"configurable": {"thread_id": record.id}}, {"messages": messages}, as_node)
        forked = replace(record, message_count=len(messages))
        await self.store.aput(SESSIONS_NAMESPACE, record.id, forked.to_item(), index=False)
        return forked

    async def messages(self, session_id: str) -> Sequence[AnyMessage]:
        """The checkpointed conversation of the session."""
        return list(await self.channel(session_id, "messages") or [])

    async def find_conversation(self, owner: str, key: str) -> str | None:
        """The session of `owner` whose conversation had the digest `key` when last written (the caller checks
        that it still has: a session moves on, and a deleted one leaves its entry behind)."""
        item = await self.store.aget(_conversations(owner), key)
        session_id = item.value.get("session_id") if item else None
        return session_id if isinstance(session_id, str) else None

    async def link_conversation(self, owner: str, key: str, session_id: str, replaces: str | None) -> None:
        """Index the session by its conversation's digest now, dropping the entry it was found by."""
        await self.store.aput(_conversations(owner), key, {"session_id": session_id}, index=False)
        if replaces is not None and replaces != key:
            await self.store.adelete(_conversations(owner), replaces)

    async def rename(self, record: SessionRecord, title: str) -> SessionRecord:
        renamed = replace(record, title=title, title_is_default=False)
        await self.store.aput(SESSIONS_NAMESPACE, record.id, renamed.to_item(), index=False)
        return renamed

    async def clear(self, record: SessionRecord) -> None:
        """Forget the conversation and the memory but keep the session (and its title)."""
        await self.checkpointer.adelete_thread(record.id)
        await self.memory.clear(record.id)
        cleared = replace(record, message_count=0, last_active=now_iso())
        await self.store.aput(SESSIONS_NAMESPACE, record.id, cleared.to_item(), index=False)

    async def delete(self, session_id: str) -> None:
        """Remove the conversation, the memory and the registry entry."""
        await self.checkpointer.adelete_thread(session_id)
        await self.memory.clear(session_id)
        await self.store.adelete(SESSIONS_NAMESPACE, session_id)
        await self.directory.forget(session_id)

    async def cleanup(self, max_age: timedelta) -> int:
        """Delete sessions idle for longer than `max_age`, and memory left by sessions that no longer exist;
        returns how many sessions went. Reads the registry a page at a time (never all of it at once)."""
        cutoff = datetime.now(UTC) - max_age
        removed = 0
        offset = 0
        while True:
            page = await self.store.asearch(SESSIONS_NAMESPACE, limit=_PAGE, offset=offset)
            stale = [item.key for item in page if datetime.fromisoformat(item.value["last_active"]) < cutoff]
            for session_id in stale:
                await self.delete(session_id)
            removed += len(stale)
            if len(page) < _PAGE:
                break
            offset += len(page) - len(stale)  # the deleted ones no longer count in the store's order
        await self._clear_orphaned_memory()
        return removed

    async def _clear_orphaned_memory(self) -> None:
        """Clear the memory of sessions that are no longer registered, a page of memory namespaces at a time."""
        orphans: list[str] = []
        offset = 0
        while True:
            namespaces = await self.store.alist_namespaces(
                prefix=(MEMORY_PREFIX,), max_depth=2, limit=_PAGE, offset=offset
            )
            session_ids = sorted({ns[1] for ns in namespaces if len(ns) > 1})
            registered = (
                await self.store.abatch([GetOp(SESSIONS_NAMESPACE, sid) for sid in session_ids]) if session_ids else []
            )
            orphans.extend(sid for sid, item in zip(session_ids, registered, strict=True) if item is None)
            if len(namespaces) < _PAGE:
                break
            offset += len(namespaces)
        for orphan in orphans:  # cleared after the listing, so that clearing does not shift its pages
            await self.memory.clear(orphan)
