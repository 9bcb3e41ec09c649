"""`kv` memory: the facts the user stated, kept by key (a later statement replaces an earlier one, with its
history), recalled lexically, plus lexical (BM25) recall of older turns of the session and of the user's other
sessions.

Lexical recall works in Chinese too: Han text is indexed as character bigrams (`memory.facts.language`).
"""

from typing import Any

from memory.backends.stored import RecallableTurns, StoredMemory, turn_line
from memory.facts.knowledge import KnownFacts
from memory.facts.ledger import Fact
from memory.facts.ranking import about_first, lexical_ranking
from memory.scopes import Scope


class KeyValueMemory(StoredMemory):
    """User facts by key, plus BM25 over the text of past turns."""

    name = "kv"

    async def _recall_lines(
        self, query: str, known: KnownFacts, turns: RecallableTurns, scopes: list[Scope]
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        facts = [fact for fact, _ in about_first(lexical_ranking(known.facts, query), query)][: self.top_k]
        lines = [turn_line(item) for item, _ in self._lexical_turns(query, turns)]
        return facts, lines, {"facts_known": len(known.facts), "turns_searched": turns.count}
