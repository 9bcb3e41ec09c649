"""The facts of a memory scope, kept by key with their history.

Each fact is one store item (namespace `scope + ("facts",)`, key: its stable id). A later statement of a
single-valued fact replaces the value and appends to the item's `history`; a retraction (or a delete through the
API) leaves a tombstone: the item stays, marked `retracted`, so its history survives and recall knows the
value it must no longer show (`stale_values`). Nothing here decides what a turn states; see `memory.facts.rules`
and `memory.facts.llm_extractor`.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langgraph.store.base import BaseStore, Item, SearchOp

from llm.embeddings import unit_vectors
from memory.facts.records import Assert, FactChange, Retract, fact_id, fact_key, normal, render
from memory.scopes import Scope

FACTS = "facts"
RETRACTIONS = "retractions"
PAGE = 1000
Source = Literal["rules", "llm", "api"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Retraction:
    subject: str
    predicate: str
    at: str


@dataclass(frozen=True)
class Fact:
    """A fact as recall and the API see it."""

    id: str
    key: str
    subject: str
    predicate: str
    object: str
    text: str
    said: str
    source: str
    session_id: str
    created_at: str
    updated_at: str
    retracted: bool
    history: list[dict[str, Any]]
    vector: list[float] | None = None

    @classmethod
    def from_item(cls, item: Item) -> "Fact":
        v = item.value
        return cls(
            id=item.key,
            key=v["key"],
            subject=v["subject"],
            predicate=v["predicate"],
            object=v["object"],
            text=v["text"],
            said=v.get("said", ""),
            source=v.get("source", "rules"),
            session_id=v.get("session_id", ""),
            created_at=v["created_at"],
            updated_at=v["updated_at"],
            retracted=bool(v.get("retracted")),
            history=list(v.get("history", [])),
            vector=v.get("vector"),
        )

    def public(self) -> dict[str, Any]:
        """Every field but the vector."""
        return {name: value for name, value in self.__dict__.items() if name != "vector"}


def _items(result: object) -> list[Item]:
    """A search result's items (`abatch` types its results as any op's)."""
    assert isinstance(result, list)
    return [item for item in result if isinstance(item, Item)]


def _oldest_first(items: Sequence[Item]) -> list[Fact]:
    facts = (Fact.from_item(item) for item in items if "subject" in item.value)  # not an older kind of record
    return sorted(facts, key=lambda fact: fact.created_at)


class FactLedger:
    """Applies fact changes to a scope and reads its current facts; embeds each fact once when it is written
    (for semantic recall), with the embedding model memory shares with retrieval."""

    def __init__(self, store: BaseStore, embeddings: Embeddings | None = None) -> None:
        self.store = store
        self.embeddings = embeddings

    async def all(self, scope: Scope) -> list[Fact]:
        """Every fact of the scope, tombstones included, oldest first."""
        items: list[Item] = []
        while True:
            page = await self.store.asearch(scope.namespace(FACTS), limit=PAGE, offset=len(items))
            items.extend(page)
            if len(page) < PAGE:
                break
        return _oldest_first(items)

    async def read(self, scopes: Sequence[Scope]) -> tuple[list[Fact], list[Retraction]]:
        """Every fact (tombstones included; scope by scope, oldest first) and every retraction of the scopes: what
        the user asked to forget, and when, so that older turns that mention it are not recalled either, even
        where no fact held the value (the rules missed the statement). One store batch when each scope's facts
        fit a page: recall reads this on every turn, and each store call is a round trip to the database (its
        thread, for SQLite). A scope with a full page is read on by `all`."""
        pages = await self.store.abatch(
            [SearchOp(scope.namespace(kind), limit=PAGE) for scope in scopes for kind in (FACTS, RETRACTIONS)]
        )
        facts: list[Fact] = []
        retractions: list[Retraction] = []
        for position, scope in enumerate(scopes):
            fact_page, asked = (_items(page) for page in pages[2 * position : 2 * position + 2])
            facts += await self.all(scope) if len(fact_page) == PAGE else _oldest_first(fact_page)
            retractions += [Retraction(r.value["subject"], r.value["predicate"], r.value["at"]) for r in asked]
        return facts, retractions

    async def current(self, scope: Scope) -> list[Fact]:
        return [fact for fact in await self.all(scope) if not fact.retracted]

    async def get(self, scope: Scope, ident: str) -> Fact | None:
        item = await self.store.aget(scope.namespace(FACTS), ident)
        return Fact.from_item(item) if item else None

    async def apply(
        self, scope: Scope, changes: Sequence[FactChange], *, session_id: str = "", source: Source = "rules"
    ) -> list[Fact]:
        """Apply a turn's changes in order; returns the facts written (added, updated or retracted)."""
        written: list[Fact] = []
        for change in changes:
            if isinstance(change, Assert):
                fact = await self.assert_fact(scope, change, session_id=session_id, source=source)
                if fact is not None:
                    written.append(fact)
            else:
                written += await self.retract(scope, change, source=source)
        return written

    async def assert_fact(
        self, scope: Scope, change: Assert, *, session_id: str = "", source: Source = "rules"
    ) -> Fact | None:
        """Add the fact, or replace the value of the fact with its key; None when it is already held as is."""
        key = fact_key(change.subject, change.predicate, change.obj)
        ident = fact_id(key)
        existing = await self.get(scope, ident)
        if existing is not None and not existing.retracted and normal(existing.object) == normal(change.obj):
            return None
        at = now_iso()
        event = "ADD" if existing is None or existing.retracted else "UPDATE"
        entry = {"event": event, "object": change.obj, "previous": existing.object if existing else None}
        history = [*(existing.history if existing else []), {**entry, "at": at, "said": change.said, "source": source}]
        text = render(change.subject, change.predicate, change.obj)
        value: dict[str, Any] = {
            "key": key,
            "subject": change.subject,
            "predicate": change.predicate,
            "object": change.obj,
            "text": text,
            "said": change.said,
            "source": source,
            "session_id": session_id,
            "created_at": existing.created_at if existing else at,
            "updated_at": at,
            "retracted": False,
            "history": history,
        }
        if self.embeddings is not None:
            vector = unit_vectors(await self.embeddings.aembed_query(f"{text}. {change.said}"))
            value["vector"] = [round(float(x), 6) for x in vector]
        await self.store.aput(scope.namespace(FACTS), ident, value, index=False)
        return Fact.from_item(await self._item(scope, ident))

    async def retract(self, scope: Scope, change: Retract, *, source: Source = "rules") -> list[Fact]:
        """Tombstone every current fact of the subject's predicate (only the one with `obj`, when given)."""
        matching = [
            fact
            for fact in await self.current(scope)
            if normal(fact.subject) == normal(change.subject)
            and normal(fact.predicate) == normal(change.predicate)
            and (change.obj is None or normal(fact.object) == normal(change.obj))
        ]
        await asyncio.gather(*(self.tombstone(scope, fact, said=change.said, source=source) for fact in matching))
        marker = {"subject": change.subject, "predicate": change.predicate, "at": now_iso(), "said": change.said}
        key = f"{normal(change.subject)}|{normal(change.predicate)}"
        await self.store.aput(scope.namespace(RETRACTIONS), key, marker, index=False)
        return matching

    async def tombstone(self, scope: Scope, fact: Fact, *, said: str = "", source: Source = "api") -> None:
        item = await self._item(scope, fact.id)
        entry = {"event": "DELETE", "object": None, "previous": fact.object, "at": now_iso(), "said": said}
        value = {**item.value, "retracted": True, "updated_at": entry["at"]}
        value["history"] = [*value.get("history", []), {**entry, "source": source}]
        value.pop("vector", None)
        await self.store.aput(scope.namespace(FACTS), fact.id, value, index=False)

    async def purge(self, scope: Scope) -> int:
        """Remove every fact of the scope, history and all (a session cleared or deleted)."""
        removed = 0
        for kind in (FACTS, RETRACTIONS):
            while page := await self.store.asearch(scope.namespace(kind), limit=PAGE):
                for item in page:
                    await self.store.adelete(item.namespace, item.key)
                removed += len(page)
        return removed

    async def _item(self, scope: Scope, ident: str) -> Item:
        item = await self.store.aget(scope.namespace(FACTS), ident)
        if item is None:
            raise LookupError(ident)
        return item


def stale_values(facts: Sequence[Fact]) -> set[str]:
    """Values the scope's facts held once and hold no more (old values of updated facts, retracted values),
    normalised: recall drops any remembered turn that still says one of them."""
    current = {normal(fact.object) for fact in facts if not fact.retracted}
    old = {
        normal(entry["previous"])
        for fact in facts
        for entry in fact.history
        if entry.get("previous") and entry["event"] in ("UPDATE", "DELETE")
    }
    return old - current
