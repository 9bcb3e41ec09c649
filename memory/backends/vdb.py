"""`vdb` memory: facts and past turns embedded (with the RAG embedding model) and recalled by similarity to the
question, fused with lexical recall so that Chinese (which the packaged English embeddings do not place well)
is recalled as well.

Vectors are kept in the store items themselves and searched with NumPy, rather than through the store's own
vector index: that index needs SQLite extension loading (which this Python's `sqlite3` lacks) or pgvector, while
this works the same on every store. A session's turn matrix grows with its cached turns (see
`StoredMemory._turns`), so recall embeds the question once and does two matrix products.
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langgraph.store.base import BaseStore

from llm.embeddings import unit_vectors
from memory.backends.base import Turn
from memory.backends.stored import StoredMemory, all_items, namespace, turn_record
from memory.facts.knowledge import KnownFacts
from memory.facts.ledger import Fact
from memory.facts.ranking import dense_ranking, fused, lexical_ranking

MIN_FACT_SIMILARITY = 0.3
"""Below this a fact is not about the question (MiniLM cosine; lexical matches still count)."""
MIN_TURN_SIMILARITY = 0.3


@dataclass
class _Matrix:
    keys: list[str] = field(default_factory=list)
    rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


class VectorMemory(StoredMemory):
    """Semantic recall: a fact said fifty turns ago comes back when the question is about it."""

    name = "vdb"

    def __init__(self, store: BaseStore, *, embeddings: Embeddings, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.embeddings = embeddings
        self._matrices: OrderedDict[str, _Matrix] = OrderedDict()

    async def _store_turn(self, session_id: str, turn: Turn) -> None:
        record = turn_record(turn)
        vector = unit_vectors(await self.embeddings.aembed_query(record["text"]))
        record["vector"] = [round(float(x), 6) for x in vector]
        await self._append_turn(session_id, record)

    async def _matrix(self, session_id: str) -> tuple[_Matrix, list[str]]:
        """The session's vectors, extended with the rows of turns not yet in the matrix."""
        items = await self._turns(session_id)
        matrix = self._matrices.get(session_id)
        if matrix is None or matrix.keys != [item.key for item in items[: len(matrix.keys)]]:
            matrix = _Matrix()  # cleared or reloaded: start again
        new = items[len(matrix.keys) :]
        if new:
            rows = np.asarray([item.value["vector"] for item in new], dtype=np.float32)
            matrix.rows = rows if not matrix.keys else np.vstack([matrix.rows, rows])
            matrix.keys += [item.key for item in new]
        self._cache(self._matrices, session_id, matrix)
        return matrix, [item.value["text"] for item in items]

    async def _recall_lines(
        self, session_id: str, query: str, known: KnownFacts, in_window: int
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        query_vector = unit_vectors(await self.embeddings.aembed_query(query))
        dense = dense_ranking(known.facts, query_vector.tolist(), MIN_FACT_SIMILARITY)
        facts = fused(dense, lexical_ranking(known.facts, query))[: self.top_k]
        matrix, texts = await self._matrix(session_id)
        older = max(0, len(matrix.keys) - in_window)
        if not older:
            return facts, [], {"turns_searched": 0}
        scores = await asyncio.to_thread(np.dot, matrix.rows[:older], query_vector)
        best = [i for i in np.argsort(-scores)[: self.top_k] if scores[i] >= MIN_TURN_SIMILARITY]
        lines = [texts[i].replace("\n", " / ") for i in best]
        return facts, lines, {"scores": [round(float(scores[i]), 4) for i in best], "turns_searched": older}

    async def clear(self, session_id: str) -> None:
        self._matrices.pop(session_id, None)
        await super().clear(session_id)

    async def dump(self, session_id: str) -> dict[str, Any]:
        dumped = await super().dump(session_id)
        turns = await all_items(self.store, namespace(session_id, "turns"))
        dumped["turns"] = [{k: v for k, v in t.value.items() if k != "vector"} for t in turns]
        dumped["facts"] = [{k: v for k, v in fact.items() if k != "vector"} for fact in dumped.get("facts", [])]
        return dumped
