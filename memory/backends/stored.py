"""Shared plumbing of the store-backed memory backends: namespaces, turn records, budgets, stats."""

import asyncio
import heapq
import json
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from weakref import WeakValueDictionary

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.store.base import BaseStore, GetOp, Item

from memory.backends.base import MemoryContext, Turn
from memory.backends.short_term import ShortTermMemory, text_tokens
from memory.facts.knowledge import FactMemory, KnownFacts
from memory.facts.language import lexical_tokens, only_questions
from memory.facts.ledger import Fact
from memory.facts.lexical_index import LexicalIndex, bm25_scores, informative_terms
from memory.scopes import Scope, session_scope
from memory.summary import ConversationSummaries

MEMORY_PREFIX = "memory"
PAGE = 1000
TOP_UP_MARGIN = 0.5
"""How many seconds before the newest turn read a top-up looks again: a turn is timed when it ends, then written,
so another process may store its turn just after a later one."""


def namespace(session_id: str, kind: str) -> tuple[str, ...]:
    """Where a session's memory of one kind lives: ("memory", session, kind)."""
    return (MEMORY_PREFIX, session_id, kind)


def turn_record(turn: Turn) -> dict[str, Any]:
    """A finished turn as a store value; `text` is what embeddings see, `asks`: the user only asked (recall
    leaves such turns out: they hold no fact, only words that match questions); `at_seconds` is the time as a
    number, which every store can filter on (InMemoryStore compares as numbers, SQLite and PostgreSQL as text)."""
    user = "\n".join(m.text for m in turn.user)
    answer = turn.answer.text
    now = datetime.now(UTC)
    return {
        "user": user,
        "assistant": answer,
        "text": f"user: {user}\nassistant: {answer}",
        "asks": only_questions(user),
        "at": now.isoformat(),
        "at_seconds": now.timestamp(),
    }


def turn_line(item: Item) -> str:
    """A remembered turn as one line of the memory section: what the user said (the answer adds tokens, not
    facts, and may repeat a value since changed)."""
    said = str(item.value.get("user") or item.value["text"]).replace("\n", " / ")
    return f"earlier, the user said: {said}"


def new_key() -> str:
    """Time-ordered unique keys, so listing in key order is listing in time order."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:6]}"


async def all_items(store: BaseStore, ns: tuple[str, ...], value_filter: dict[str, Any] | None = None) -> list[Item]:
    """Every item of a namespace, optionally filtered on value fields (the store pages its searches)."""
    items: list[Item] = []
    while True:
        page = await store.asearch(ns, filter=value_filter, limit=PAGE, offset=len(items))
        items.extend(page)
        if len(page) < PAGE:
            return items


def fit_budget(lines: Sequence[str], max_tokens: int) -> list[str]:
    """Keep lines in order while they fit in `max_tokens` (approximate count)."""
    kept, used = [], 0
    for line in lines:
        cost = text_tokens(line)
        if used + cost > max_tokens:
            break
        kept.append(line)
        used += cost
    return kept


def usage(items: Sequence[Item]) -> dict[str, Any]:
    """Items, bytes and last write of some store items."""
    return {
        "items": len(items),
        "bytes": sum(len(json.dumps(item.value, ensure_ascii=False)) for item in items),
        "last_write": max((item.updated_at for item in items), default=None),
    }


@dataclass
class CachedTurns:
    """A scope's turn items in write order as this process last saw them, with the log state they correspond to
    and their lexical index (each turn's words counted once, when it is first seen)."""

    generation: str = ""
    count: int = 0
    items: list[Item] = field(default_factory=list)
    index: LexicalIndex = field(default_factory=LexicalIndex)
    keys: set[str] = field(default_factory=set)
    _newest_at: float = 0.0

    def extend(self, items: Sequence[Item], *, read: bool = True) -> None:
        """Hold `items` too: `read` from the store (they move the point the next top-up reads from), or
        written by this process."""
        for item in items:
            self.items.append(item)
            self.keys.add(item.key)
            if read:
                self._newest_at = max(self._newest_at, float(item.value.get("at_seconds") or 0.0))
            self.index.add(lexical_tokens(item.value.get("user") or item.value["text"]) or ["∅"])

    def newest_at(self, *, minus: float) -> float:
        """The newest turn's time (`at_seconds`) less `minus` seconds; 0 when none has one."""
        return max(self._newest_at - minus, 0.0) if self._newest_at else 0.0


@dataclass
class RecallableTurns:
    """The past turns recall may show, in the scopes it reads: all their turns, minus the window's (the prompt
    shows them), question-only turns, and turns that say a stale or retracted value. Those tests run only on
    the turns a ranking reaches, best first, so a recall costs what it ranks, not every turn ever stored."""

    scopes: list[CachedTurns]
    hidden: set[str]
    known: KnownFacts
    _verdicts: dict[str, bool] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(cached.items) for cached in self.scopes)

    def allowed(self, item: Item) -> bool:
        verdict = self._verdicts.get(item.key)
        if verdict is None:
            verdict = item.key not in self.hidden and not item.value.get("asks") and self.known.may_recall(item.value)
            self._verdicts[item.key] = verdict
        return verdict

    def first(self, ranked: Iterable[tuple[Item, float]], limit: int) -> list[tuple[Item, float]]:
        """The first `limit` recallable turns of a ranking (a turn held in two scopes counted once)."""
        kept: list[tuple[Item, float]] = []
        seen: set[str] = set()
        for item, score in ranked:
            if item.key in seen or not self.allowed(item):
                continue
            seen.add(item.key)
            kept.append((item, score))
            if len(kept) == limit:
                break
        return kept

    def lexical(self, query: str, limit: int) -> list[tuple[Item, float]]:
        """The recallable turns sharing terms with what the user said, best first: by BM25, or where no term
        weighs anything (a scope of one or two turns, where every term is common) by the terms shared."""
        indexes = [cached.index for cached in self.scopes]
        terms = informative_terms(indexes, lexical_tokens(query))
        if not terms:
            return []
        scored = bm25_scores(indexes, terms)
        if not any(score > 0 for scores in scored for score in scores.values()):
            wanted = set(terms)
            scored = [
                {number: float(sum(number in index.postings.get(term, ()) for term in wanted)) for number in found}
                for index, found in zip(indexes, (index.holding(terms) for index in indexes), strict=True)
            ]
        ranked = [
            (-score, cached.items[number].key, position, number)
            for position, (cached, scores) in enumerate(zip(self.scopes, scored, strict=True))
            for number, score in scores.items()
            if score > 0
        ]
        best = self.first(self._in_order(ranked, limit * 4), limit)
        if len(best) < limit and len(ranked) > limit * 4:  # many of the best were not recallable: rank them all
            best = self.first(self._in_order(ranked, len(ranked)), limit)
        return best

    def _in_order(self, ranked: list[tuple[float, str, int, int]], count: int) -> Iterator[tuple[Item, float]]:
        """The `count` best of `ranked` (negated score, key, scope, turn), best first (older first on a tie)."""
        for negated, _, position, number in heapq.nsmallest(count, ranked):
            yield self.scopes[position].items[number], -negated


def _log_of(item: Item | None) -> tuple[str, int]:
    """A scope's turn log (generation, count); none yet: ("", 0)."""
    return (item.value["generation"], item.value["count"]) if item else ("", 0)


class StoredMemory(ABC):
    """Base of the store-backed backends: the recent window (and the summary before it) from the checkpointed
    history, the facts the user stated (`FactMemory`: per session and per user), and the session's past turns.

    Turns are appended through `_append_turn`, which also bumps a small log record (`meta/turns`: a generation id
    that changes when the session is cleared, and a count). `_turns` keeps each session's turn items cached and,
    when the count grew, fetches only the newest ones, so recall does not reload thousands of items per turn;
    writes by other processes are seen through the same record. A past turn that still says a value the user
    has since updated or retracted is never recalled. Subclasses rank facts and turns (`_recall_lines`).
    """

    name = "stored"
    kinds: tuple[str, ...] = ("turns", "meta")
    heading = "What you remember about the user and earlier in this conversation:"
    cached_sessions = 256

    def __init__(
        self,
        store: BaseStore,
        *,
        facts: FactMemory,
        window_turns: int,
        max_tokens: int,
        top_k: int,
        summaries: ConversationSummaries | None = None,
    ) -> None:
        self.store = store
        self.facts = facts
        self.window = ShortTermMemory(window_turns=window_turns, max_tokens=max_tokens * 2 // 3, summaries=summaries)
        self.max_tokens = max_tokens
        self.top_k = top_k
        self._turn_cache: OrderedDict[str, CachedTurns] = OrderedDict()
        self._log_locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    async def _log_state(self, scope: Scope) -> tuple[str, int]:
        return _log_of(await self.store.aget(scope.namespace("meta"), "turns"))

    async def _bump_log(self, scope: Scope, *, new_generation: bool = False) -> tuple[str, int]:
        """Count one more turn in the scope's log (or start a new generation); the log as it now is. Turns of
        this process bump it one at a time (a read, then a write: concurrently they would lose counts). Never
        one store batch that reads and writes: `SqliteStore` runs a batch as one deferred transaction, which
        fails at once ("database is locked") when another process wrote since its read."""
        async with self._log_lock(scope):
            generation, count = await self._log_state(scope)
            if new_generation:
                generation, count = uuid.uuid4().hex, count
            generation, count = generation or uuid.uuid4().hex, count + (0 if new_generation else 1)
            await self.store.aput(
                scope.namespace("meta"), "turns", {"generation": generation, "count": count}, index=False
            )
        return generation, count

    def _log_lock(self, scope: Scope) -> asyncio.Lock:
        key = "/".join(scope.prefix)
        lock = self._log_locks.get(key)
        if lock is None:
            lock = self._log_locks[key] = asyncio.Lock()
        return lock

    async def _append_turn(self, session_id: str, record: dict[str, Any], user: str | None = None) -> str:
        """Store a turn record in every scope the policy writes (the user's, so their other sessions recall it;
        the session's when there is no user) and bump each scope's log. A session remembers the user scopes it
        wrote to, so that clearing it removes its turns there too."""
        key = new_key()
        record = {**record, "session_id": session_id}
        scopes = self.facts.policy.writes(session_id, user)
        for scope in scopes:
            await self.store.aput(scope.namespace("turns"), key, record, index=False)
            generation, _ = await self._bump_log(scope)
            cached = self._turn_cache.get("/".join(scope.prefix))
            if cached is not None and cached.generation == generation and key not in cached.keys:
                # this process's own turn goes into its cache at once: with no other writer, the cache is
                # never read back from the store
                now = datetime.now(UTC)
                cached.extend(
                    [Item(value=record, key=key, namespace=scope.namespace("turns"), created_at=now, updated_at=now)],
                    read=False,
                )
                cached.count += 1
        await self._note_user_scopes(session_id, [scope for scope in scopes if scope.kind == "user"])
        return key

    async def _note_user_scopes(self, session_id: str, scopes: list[Scope]) -> None:
        if not scopes:
            return
        item = await self.store.aget(namespace(session_id, "meta"), "scopes")
        held = [list(prefix) for prefix in (item.value["prefixes"] if item else [])]
        fresh = [list(scope.prefix) for scope in scopes if list(scope.prefix) not in held]
        if fresh:
            await self.store.aput(namespace(session_id, "meta"), "scopes", {"prefixes": held + fresh}, index=False)

    async def _turns(self, scope: Scope, log: tuple[str, int] | None = None) -> CachedTurns:
        """A scope's turn items in write order: cached, topped up with only the newest when the log grew.

        The top-up asks the store for the turns said since shortly before the newest one held (`at_seconds`,
        which every store can filter on; their listing order differs: newest first, oldest first, or by second). The
        log's count only tells whether to look: turns running at once may bump it from the same value (a read,
        then a write), so it can lag behind the turns stored. `log`: the scope's log, when already read."""
        generation, count = log if log is not None else await self._log_state(scope)
        cache_key = "/".join(scope.prefix)
        cached = self._turn_cache.pop(cache_key, None)
        if cached is None or cached.generation != generation:
            cached = CachedTurns(generation, count)
            cached.extend(sorted(await all_items(self.store, scope.namespace("turns")), key=lambda item: item.key))
        elif count > cached.count:
            since = {"at_seconds": {"$gte": cached.newest_at(minus=TOP_UP_MARGIN)}}
            recent = await all_items(self.store, scope.namespace("turns"), since)
            cached.extend(sorted((item for item in recent if item.key not in cached.keys), key=lambda item: item.key))
            cached.count = count
        self._cache(self._turn_cache, cache_key, cached)
        return cached

    async def _turns_in(self, scopes: Sequence[Scope]) -> list[CachedTurns]:
        """`_turns` of each scope, their logs read in one store batch (recall reads them on every turn)."""
        logs = await self.store.abatch([GetOp(scope.namespace("meta"), "turns") for scope in scopes])
        return [
            await self._turns(scope, _log_of(held if isinstance(held, Item) else None))
            for scope, held in zip(scopes, logs, strict=True)
        ]

    async def _recallable(
        self, session_id: str, user: str | None, in_window: int, known: KnownFacts
    ) -> RecallableTurns:
        """The turns recall may show: the session's and the user's other sessions', without the session's last
        `in_window` (the window shows them; found from the newest end, so only those are read)."""
        scopes = await self._turns_in(self.facts.policy.reads(session_id, user))
        mine: set[str] = set()
        for cached in scopes:
            found = 0
            for item in reversed(cached.items):
                if found == in_window:
                    break
                if item.value.get("session_id", session_id) == session_id:
                    mine.add(item.key)
                    found += 1
        hidden = set(sorted(mine)[len(mine) - in_window :]) if in_window else set()
        return RecallableTurns(scopes, hidden, known)

    def _cache(self, cache: OrderedDict[str, Any], session_id: str, value: Any) -> None:
        """Keep `value` as the session's most recently used entry, dropping the least recent beyond
        `cached_sessions`."""
        cache.pop(session_id, None)
        cache[session_id] = value
        while len(cache) > self.cached_sessions:
            cache.popitem(last=False)

    @abstractmethod
    async def _recall_lines(
        self, query: str, known: KnownFacts, turns: RecallableTurns, scopes: list[Scope]
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        """The facts relevant to `query` and lines of the recallable past turns (from `scopes`), best first, and
        details for debugging."""

    def _lexical_turns(self, query: str, turns: RecallableTurns) -> list[tuple[Item, float]]:
        """The recallable turns sharing terms with what the user said, best first."""
        return turns.lexical(query, self.top_k)

    async def _store_turn(self, session_id: str, turn: Turn, user: str | None) -> None:
        """Keep the turn for recall."""
        await self._append_turn(session_id, turn_record(turn), user)

    async def remember(self, session_id: str, turn: Turn, *, user: str | None = None) -> None:
        await self._store_turn(session_id, turn, user)
        before = "\n".join(m.text for m in turn.before)
        await self.facts.learn(session_id, user, "\n".join(m.text for m in turn.user), before=before)

    async def recall(
        self, session_id: str, query: str, history: Sequence[AnyMessage], *, user: str | None = None
    ) -> MemoryContext:
        """The recent window, plus the facts and older turns relevant to `query` as a system-prompt section."""
        recent = await self.window.recall(session_id, query, history)
        facts: list[Fact] = []
        turns: list[str] = []
        details: dict[str, Any] = {}
        if query.strip():
            known = await self.facts.known(session_id, user)
            in_window = sum(isinstance(m, HumanMessage) for m in recent.messages)
            older = await self._recallable(session_id, user, in_window, known)
            scopes = self.facts.policy.reads(session_id, user)
            facts, turns, details = await self._recall_lines(query, known, older, scopes)

        kept = fit_budget([fact.text for fact in facts] + turns, self.max_tokens // 3)
        parts = [recent.section] if recent.section else []
        if kept:
            parts.append("\n".join([self.heading, *(f"- {line}" for line in kept)]))
        details = {**details, **recent.details, "facts": len(facts), "recalled": len(kept)}
        return MemoryContext(messages=recent.messages, section="\n\n".join(parts), details=details)

    async def clear(self, session_id: str) -> None:
        """The session's own namespace, its turns in the user scopes it wrote to, its facts and its summary."""
        self._turn_cache.pop("/".join(session_scope(session_id).prefix), None)
        item = await self.store.aget(namespace(session_id, "meta"), "scopes")
        for prefix in item.value["prefixes"] if item else []:
            scope = Scope("user", tuple(prefix))
            for turn in await all_items(self.store, scope.namespace("turns"), {"session_id": session_id}):
                await self.store.adelete(turn.namespace, turn.key)
            await self._bump_log(scope, new_generation=True)
        for kind in self.kinds:
            for item in await all_items(self.store, namespace(session_id, kind)):
                await self.store.adelete(item.namespace, item.key)
        await self.facts.forget_session(session_id)
        await self.window.clear(session_id)

    async def stats(self, session_id: str) -> dict[str, Any]:
        kinds = (*self.kinds, "facts")
        items = [item for kind in kinds for item in await all_items(self.store, namespace(session_id, kind))]
        return {"backend": self.name, **usage(items)}

    async def dump(self, session_id: str) -> dict[str, Any]:
        return {
            "backend": self.name,
            **{
                kind: [item.value for item in await all_items(self.store, namespace(session_id, kind))]
                for kind in self.kinds
            },
            "facts": [fact.public() for fact in await self.facts.ledger.all(session_scope(session_id))],
            **{k: v for k, v in (await self.window.dump(session_id)).items() if k == "summary"},
        }
