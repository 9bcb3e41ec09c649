"""The one interface every memory backend implements; nodes use nothing else."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from langchain_core.messages import AnyMessage


@dataclass
class MemoryContext:
    """What a backend recalls for one turn.

    `messages`: recent conversation to put before the current turn (the short-term window). `section`: recalled
    older memory, rendered as text for the system prompt (already cut to the backend's token budget).
    """

    messages: list[AnyMessage] = field(default_factory=list)
    section: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    """One finished exchange: the user messages of the turn and the answer, and the user messages of the turn
    before it (what "she" in this one may stand for was named there)."""

    user: list[AnyMessage]
    answer: AnyMessage
    before: list[AnyMessage] = field(default_factory=list)


@runtime_checkable
class MemoryBackend(Protocol):
    """Recall context for a question and remember finished turns, per session and per user.

    `history` is the session's checkpointed conversation before the current turn. Backends that keep their own
    data (semantic, key-value, graph) may ignore it; the short-term window is computed from it.
    """

    name: str

    async def recall(
        self, session_id: str, query: str, history: Sequence[AnyMessage], *, user: str | None = None
    ) -> MemoryContext:
        """Return what this backend remembers that is relevant to `query`, from the session's memory and, when
        `user` is given (see `memory.scopes.user_key`), that user's."""
        ...

    async def remember(self, session_id: str, turn: Turn, *, user: str | None = None) -> None:
        """Record a finished turn (facts it states go to the scopes the policy writes)."""
        ...

    async def clear(self, session_id: str) -> None:
        """Forget everything about the session."""
        ...

    async def stats(self, session_id: str) -> dict[str, Any]:
        """What the backend holds for the session (counts, sizes)."""
        ...

    async def dump(self, session_id: str) -> dict[str, Any]:
        """Everything the backend holds for the session, for debugging."""
        ...
