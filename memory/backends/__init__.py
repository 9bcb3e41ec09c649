"""Memory backends behind one protocol, and the per-session dispatcher the graph uses."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langgraph.store.base import BaseStore

from memory.backends.base import MemoryBackend, MemoryContext, Turn
from memory.backends.graph import GraphMemory
from memory.backends.kv import KeyValueMemory
from memory.backends.short_term import ShortTermMemory
from memory.backends.stored import StoredMemory
from memory.backends.vdb import VectorMemory
from memory.background import BackgroundWork
from memory.facts.knowledge import FactMemory
from memory.facts.ledger import FactLedger
from memory.facts.llm_extractor import LlmFactExtractor
from memory.scopes import ScopePolicy
from memory.summary import ConversationSummaries

AVAILABLE_BACKENDS = ("short_term", "vdb", "kv", "graph")


def build_backends(
    store: BaseStore,
    embeddings: Embeddings | None,
    *,
    window_turns: int,
    max_tokens: int,
    top_k: int,
    policy: ScopePolicy | None = None,
    extractor: BaseChatModel | None = None,
    summarizer: BaseChatModel | None = None,
    background: BackgroundWork | None = None,
) -> dict[str, MemoryBackend]:
    """One instance of each backend, sharing the store, the facts and the summaries (`vdb` only when there is an
    embedding model). `extractor`: the model that extracts facts in the background besides the rules;
    `summarizer`: the model that summarises turns older than the window (None: none are)."""
    background = background or BackgroundWork()
    facts = FactMemory(
        FactLedger(store, embeddings),
        policy,
        extractor=LlmFactExtractor(extractor) if extractor is not None else None,
        background=background,
    )
    summaries = ConversationSummaries(store, summarizer, background)
    stored: dict[str, Any] = {
        "facts": facts,
        "summaries": summaries,
        "window_turns": window_turns,
        "max_tokens": max_tokens,
        "top_k": top_k,
    }
    backends: dict[str, MemoryBackend] = {
        "short_term": ShortTermMemory(window_turns=window_turns, max_tokens=max_tokens, summaries=summaries),
        "kv": KeyValueMemory(store, **stored),
        "graph": GraphMemory(store, **stored),
    }
    if embeddings is not None:
        backends["vdb"] = VectorMemory(store, embeddings=embeddings, **stored)
    return backends


class SessionMemory:
    """Dispatches each call to the backend chosen for the session (the operator's default unless the session
    picked another at creation)."""

    name = "per_session"

    def __init__(
        self,
        backends: dict[str, MemoryBackend],
        default: str,
        choice: Callable[[str], Awaitable[str | None]],
        *,
        background: BackgroundWork | None = None,
    ) -> None:
        self.backends = backends
        self.default = default
        self._choice = choice
        self.facts = next((b.facts for b in backends.values() if isinstance(b, StoredMemory)), None)
        """The facts every store-backed backend shares (for the memory API); None with none built."""
        self.background = background or BackgroundWork()
        """The backends' background work (extraction, summaries): shutdown waits for it."""

    def named(self, chosen: str | None) -> MemoryBackend:
        """The backend a session chose, or the default when it chose none (or one no longer built)."""
        return self.backends.get(chosen or self.default, self.backends[self.default])

    async def backend_for(self, session_id: str) -> MemoryBackend:
        return self.named(await self._choice(session_id) if session_id else None)

    async def recall(
        self, session_id: str, query: str, history: Sequence[AnyMessage], *, user: str | None = None
    ) -> MemoryContext:
        return await (await self.backend_for(session_id)).recall(session_id, query, history, user=user)

    async def remember(self, session_id: str, turn: Turn, *, user: str | None = None) -> None:
        await (await self.backend_for(session_id)).remember(session_id, turn, user=user)

    async def clear(self, session_id: str) -> None:
        """Clear every backend: a session's memory must not survive a switch of backend either."""
        for backend in self.backends.values():
            await backend.clear(session_id)

    async def stats(self, session_id: str) -> dict[str, Any]:
        return await (await self.backend_for(session_id)).stats(session_id)

    async def dump(self, session_id: str) -> dict[str, Any]:
        return await (await self.backend_for(session_id)).dump(session_id)


def backend_for_turn(memory: MemoryBackend, chosen: str) -> MemoryBackend:
    """The backend one turn uses. When the caller already knows the session's choice (the gateway read the session
    record before the turn), the dispatcher's registry read on every call is skipped: two store reads a turn."""
    if chosen and isinstance(memory, SessionMemory):
        return memory.named(chosen)
    return memory


__all__ = [
    "AVAILABLE_BACKENDS",
    "MemoryBackend",
    "MemoryContext",
    "SessionMemory",
    "Turn",
    "backend_for_turn",
    "build_backends",
]
