"""`vdb` memory: facts and past turns embedded (with the RAG embedding model) and recalled by similarity to the
question, fused with lexical recall so that Chinese (which the packaged English embeddings do not place well)
is recalled as well.

Vectors are kept in the store items themselves and searched with NumPy, rather than through the store's own
vector index: that index needs SQLite extension loading (which this Python's `sqlite3` lacks) or pgvector, while
this works the same on every store. Each scope's turn matrix grows with its cached turns (see
`StoredMemory._turns`), so recall embeds the question once and does a matrix product per scope.
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langgraph.store.base import BaseStore, Item

from llm.embeddings import unit_vectors
from memory.backends.base import Turn
from memory.backends.stored import RecallableTurns, StoredMemory, all_items, namespace, turn_line, turn_record
from memory.facts.knowledge import KnownFacts
from memory.facts.ledger import Fact
from memory.facts.ranking import about_first, dense_ranking, fused, lexical_ranking, reciprocal_rank_fusion
from memory.scopes import Scope, session_scope

MIN_FACT_SIMILARITY = 0.3
"""Below this a fact is not about the question (MiniLM cosine; lexical matches still count)."""
MIN_TURN_SIMILARITY = 0.3


@dataclass
class _Matrix:
    items: list[Item] = field(default_factory=list)
    rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


class VectorMemory(StoredMemory):
    """Semantic recall: a fact said fifty turns ago comes back when the question is about it."""

    name = "vdb"

    def __init__(self, store: BaseStore, *, embeddings: Embeddings, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.embeddings = embeddings
        self._matrices: OrderedDict[str, _Matrix] = OrderedDict()

    async def _store_turn(self, session_id: str, turn: Turn, user: str | None) -> None:
        record = turn_record(turn)
        vector = unit_vectors(await self.embeddings.aembed_query(record["text"]))
        record["vector"] = [round(float(x), 6) for x in vector]
        await self._append_turn(session_id, record, user)

    async def _vectors(self, scope: Scope) -> _Matrix:
        """The scope's turn vectors, extended with the rows of turns not yet in the matrix."""
        items = (await self._turns(scope)).items
        cache_key = "/".join(scope.prefix)
        matrix = self._matrices.get(cache_key)
        held = len(matrix.items) if matrix is not None else 0
        if matrix is None or len(items) < held or (held and items[held - 1].key != matrix.items[-1].key):
            matrix = _Matrix()  # cleared or reloaded: start again
        new = items[len(matrix.items) :]
        if new:
            rows = np.asarray([item.value["vector"] for item in new], dtype=np.float32)
            matrix.rows = rows if not matrix.items else np.vstack([matrix.rows, rows])
            matrix.items += new
        self._cache(self._matrices, cache_key, matrix)
        return matrix

    async def _dense_turns(self, query_vector: np.ndarray, turns: RecallableTurns, scopes: list[Scope]) -> list[Item]:
        """The recallable turns most similar to the question (at least `MIN_TURN_SIMILARITY`), best first."""
        items: list[Item] = []
        blocks: list[np.ndarray] = []
        for scope in scopes:
            matrix = await self._vectors(scope)
            if matrix.items:
                items += matrix.items
                blocks.append(matrix.rows)
        if not items:
            return []
        scores = await asyncio.to_thread(np.dot, np.vstack(blocks), query_vector)
        ranked = ((items[i], float(scores[i])) for i in np.argsort(-scores) if scores[i] >= MIN_TURN_SIMILARITY)
        return [item for item, _ in turns.first(ranked, self.top_k)]

    async def _recall_lines(
        self, query: str, known: KnownFacts, turns: RecallableTurns, scopes: list[Scope]
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        query_vector = unit_vectors(await self.embeddings.aembed_query(query))
        dense = dense_ranking(known.facts, query_vector.tolist(), MIN_FACT_SIMILARITY)
        ranked = fused(dense, lexical_ranking(known.facts, query))
        facts = [fact for fact, _ in about_first([(fact, 0.0) for fact in ranked], query)][: self.top_k]
        similar = await self._dense_turns(query_vector, turns, scopes)
        lexical = [item for item, _ in self._lexical_turns(query, turns)]
        best = reciprocal_rank_fusion([similar, lexical], key=lambda item: item.key)
        lines = [turn_line(item) for item in best][: self.top_k]
        return facts, lines, {"turns_searched": turns.count}

    async def clear(self, session_id: str) -> None:
        self._matrices.pop("/".join(session_scope(session_id).prefix), None)
        await super().clear(session_id)

    async def dump(self, session_id: str) -> dict[str, Any]:
        dumped = await super().dump(session_id)
        turns = await all_items(self.store, namespace(session_id, "turns"))
        dumped["turns"] = [{k: v for k, v in t.value.items() if k != "vector"} for t in turns]
        dumped["facts"] = [{k: v for k, v in fact.items() if k != "vector"} for fact in dumped.get("facts", [])]
        return dumped
