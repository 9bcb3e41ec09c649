"""`vdb` memory: every turn embedded (with the RAG embedding model) and recalled by similarity to the question.

Vectors are kept in the store items themselves and searched per session with NumPy, rather than through the
store's own vector index: that index needs SQLite extension loading (which this Python's `sqlite3` lacks) or
pgvector, while this works the same on every store. A session's matrix is cached in memory and extended with
only the turns written since, so recall does not reload thousands of items each time.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langgraph.store.base import BaseStore

from memory.backends.base import Turn
from memory.backends.stored import StoredMemory, all_items, namespace, new_key, turn_record


@dataclass
class _SessionVectors:
    generation: str = ""
    last_seq: int = 0
    keys: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.clip(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12, None)


class VectorMemory(StoredMemory):
    """Semantic recall: a fact said fifty turns ago comes back when the question is about it."""

    name = "vdb"
    kinds = ("turns", "meta")
    heading = "Earlier turns of this conversation related to the question:"

    def __init__(self, store: BaseStore, *, embeddings: Embeddings, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.embeddings = embeddings
        self._cache: dict[str, _SessionVectors] = {}

    async def _generation(self, session_id: str, *, create: bool) -> str:
        """An id that changes whenever the session's vectors are cleared (so caches elsewhere notice)."""
        meta = await self.store.aget(namespace(session_id, "meta"), "vectors")
        if meta is None and create:
            generation = uuid.uuid4().hex
            await self.store.aput(namespace(session_id, "meta"), "vectors", {"generation": generation}, index=False)
            return generation
        return meta.value["generation"] if meta else ""

    async def remember(self, session_id: str, turn: Turn) -> None:
        record = turn_record(turn)
        vector = _unit(np.asarray(await self.embeddings.aembed_query(record["text"]), dtype=np.float32))
        record["vector"] = [round(float(x), 6) for x in vector]
        await self._generation(session_id, create=True)
        sequence = int(time.time() * 1_000_000)  # microseconds: exact as a float, which filters compare with
        await self.store.aput(namespace(session_id, "turns"), new_key(), {**record, "seq": sequence}, index=False)

    async def _vectors(self, session_id: str) -> _SessionVectors:
        """The session's vectors: cached, topped up with only the turns written since (by any process)."""
        generation = await self._generation(session_id, create=False)
        cached = self._cache.get(session_id)
        if cached is None or cached.generation != generation:
            cached = _SessionVectors(generation=generation)
            fresh = await all_items(self.store, namespace(session_id, "turns"))
        else:
            known = set(cached.keys)
            since = {"seq": {"$gte": cached.last_seq}}  # >=: a turn written in the same microsecond is not lost
            fresh = [
                i for i in await all_items(self.store, namespace(session_id, "turns"), since) if i.key not in known
            ]
        if fresh:
            rows = np.asarray([item.value["vector"] for item in fresh], dtype=np.float32)
            cached.matrix = rows if not cached.keys else np.vstack([cached.matrix, rows])
            cached.keys += [item.key for item in fresh]
            cached.texts += [item.value["text"] for item in fresh]
            cached.last_seq = max(cached.last_seq, *(item.value["seq"] for item in fresh))
        self._cache[session_id] = cached
        return cached

    async def _recall_lines(self, session_id: str, query: str) -> tuple[list[str], dict[str, Any]]:
        vectors = await self._vectors(session_id)
        if not vectors.keys:
            return [], {"turns_searched": 0}
        query_vector = _unit(np.asarray(await self.embeddings.aembed_query(query), dtype=np.float32))
        scores = await asyncio.to_thread(np.dot, vectors.matrix, query_vector)
        best = np.argsort(-scores)[: self.top_k]
        lines = [vectors.texts[i].replace("\n", " / ") for i in best]
        return lines, {"scores": [round(float(scores[i]), 4) for i in best], "turns_searched": len(vectors.keys)}

    async def clear(self, session_id: str) -> None:
        self._cache.pop(session_id, None)
        await super().clear(session_id)

    async def dump(self, session_id: str) -> dict[str, Any]:
        turns = await all_items(self.store, namespace(session_id, "turns"))
        return {"backend": self.name, "turns": [{k: v for k, v in t.value.items() if k != "vector"} for t in turns]}
