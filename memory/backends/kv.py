"""`kv` memory: the facts the user stated, kept by key (a later statement replaces an earlier one, with its
history), recalled lexically, plus lexical (BM25) recall of the session's past turns.

Lexical recall works in Chinese too: Han text is indexed as character bigrams (`memory.facts.language`).
"""

from collections import OrderedDict
from typing import Any

from langgraph.store.base import BaseStore, Item
from rank_bm25 import BM25Okapi

from memory.backends.stored import StoredMemory
from memory.facts.knowledge import KnownFacts
from memory.facts.language import lexical_tokens
from memory.facts.ledger import Fact
from memory.facts.ranking import lexical_ranking


class KeyValueMemory(StoredMemory):
    """User facts by key, plus BM25 over the text of past turns."""

    name = "kv"

    def __init__(self, store: BaseStore, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self._rankings: OrderedDict[str, tuple[list[str], BM25Okapi]] = OrderedDict()

    async def _recall_lines(
        self, session_id: str, query: str, known: KnownFacts, in_window: int
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        facts = [fact for fact, _ in lexical_ranking(known.facts, query)][: self.top_k]
        items = await self._turns(session_id)
        older = items[: max(0, len(items) - in_window)]
        lines: list[str] = []
        terms = lexical_tokens(query)
        if older and terms:
            scores = self._ranking(session_id, older).get_scores(terms)
            best = sorted(range(len(older)), key=lambda i: -scores[i])[: self.top_k]
            lines = [older[i].value["text"].replace("\n", " / ") for i in best if scores[i] > 0]
        return facts, lines, {"facts_known": len(known.facts), "turns_searched": len(older)}

    def _ranking(self, session_id: str, items: list[Item]) -> BM25Okapi:
        """BM25 over the session's older turns, rebuilt only when they changed."""
        keys = [item.key for item in items]
        cached = self._rankings.get(session_id)
        if cached is None or cached[0] != keys:
            cached = (keys, BM25Okapi([lexical_tokens(item.value["text"]) or ["∅"] for item in items]))
        self._cache(self._rankings, session_id, cached)
        return cached[1]

    async def clear(self, session_id: str) -> None:
        self._rankings.pop(session_id, None)
        await super().clear(session_id)
