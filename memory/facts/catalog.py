"""The memory API's operations on one scope's facts: list, search (lexical, semantic or both), get, create,
update, delete, history. Owner checks happen before (the caller resolves the scope from its own key)."""

from dataclasses import dataclass
from typing import Literal

from llm.embeddings import unit_vectors
from memory.facts.knowledge import FactMemory
from memory.facts.ledger import Fact, FactLedger
from memory.facts.ranking import dense_ranking, fused, lexical_ranking
from memory.facts.records import USER, Assert, cardinality, fact_id, fact_key, normal
from memory.facts.rules import extract_changes
from memory.scopes import Scope

SearchMode = Literal["lexical", "semantic", "hybrid"]
NOTE = "note"
MIN_SEARCH_SIMILARITY = 0.2


@dataclass(frozen=True)
class Page:
    facts: list[Fact]
    total: int


class MemoryCatalog:
    """What a user may see and do with their remembered facts."""

    def __init__(self, facts: FactMemory) -> None:
        self.facts = facts

    @property
    def ledger(self) -> FactLedger:
        return self.facts.ledger

    async def page(self, scope: Scope, *, limit: int, offset: int, deleted: bool = False) -> Page:
        facts = await (self.ledger.all(scope) if deleted else self.ledger.current(scope))
        return Page(facts[offset : offset + limit], len(facts))

    async def search(self, scope: Scope, query: str, *, mode: SearchMode, limit: int) -> list[Fact]:
        current = await self.ledger.current(scope)
        lexical = lexical_ranking(current, query) if mode != "semantic" else []
        dense: list[tuple[Fact, float]] = []
        if mode != "lexical":
            embeddings = self.ledger.embeddings
            if embeddings is None:
                if mode == "semantic":
                    raise LookupError("semantic search needs an embedding model, and this gateway has none")
            else:
                vector = unit_vectors(await embeddings.aembed_query(query)).tolist()
                dense = dense_ranking(current, vector, MIN_SEARCH_SIMILARITY)
        return fused(dense, lexical)[:limit]

    async def get(self, scope: Scope, ident: str) -> Fact | None:
        return await self.ledger.get(scope, ident)

    async def create(
        self, scope: Scope, *, text: str | None, subject: str | None, predicate: str | None, value: str | None
    ) -> list[Fact]:
        """A fact given whole (predicate and value), or a sentence: the facts the rules find in it, else the
        sentence itself as a note."""
        if predicate and value:
            change = Assert(subject or USER, normal(predicate), value.strip(), said=text or "")
            fact = await self.ledger.assert_fact(scope, change, source="api")
            return [fact] if fact else [await self._held(scope, change)]
        assert text is not None
        changes = [change for change in extract_changes(text) if isinstance(change, Assert)]
        if not changes:
            changes = [Assert(USER, NOTE, text.strip(), said=text)]
        written = await self.ledger.apply(scope, changes, source="api")
        return written or [await self._held(scope, change) for change in changes]

    async def update(self, scope: Scope, fact: Fact, value: str) -> Fact:
        """A new value for the fact; a multi-valued fact is keyed by its value, so the old one is retired."""
        change = Assert(fact.subject, fact.predicate, value.strip(), said=fact.said)
        updated = await self.ledger.assert_fact(scope, change, source="api")
        if updated is None:
            return fact
        if cardinality(fact.predicate) == "multi" and updated.id != fact.id:
            await self.ledger.tombstone(scope, fact, source="api")
        return updated

    async def delete(self, scope: Scope, fact: Fact) -> None:
        await self.ledger.tombstone(scope, fact, source="api")

    async def _held(self, scope: Scope, change: Assert) -> Fact:
        """The fact as already held (a create that changes nothing)."""
        held = await self.ledger.get(scope, fact_id(fact_key(change.subject, change.predicate, change.obj)))
        assert held is not None
        return held
