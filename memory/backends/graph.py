"""`graph` memory: the facts as a graph (people, companies and places as nodes; typed relations such as
`reports_to`, `works_at`, `spouse` as edges); recall starts at the entities the question names (the user, for a
question in the first person), walks up to `MAX_HOPS` relations, and ranks the facts met by how well they match
the question. "Who is Bob's manager's manager?" reaches Bob's manager, then theirs.

The facts come from the shared extraction (`FactMemory`): rules, and the model in the background when
`SAGE_GATEWAY_MEMORY_EXTRACTOR=llm`. Older turns that share terms with the question are recalled beside them, as
`kv` does.
"""

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from memory.backends.stored import RecallableTurns, StoredMemory, turn_line
from memory.facts.knowledge import KnownFacts
from memory.facts.ledger import Fact
from memory.facts.ranking import lexical_ranking, named_in
from memory.facts.records import aliases, normal
from memory.scopes import Scope

MAX_HOPS = 3


@dataclass
class FactGraph:
    """Facts by the entities at their ends; a first name and the full name it abbreviates are one entity."""

    by_entity: dict[str, list[Fact]]
    alias: dict[str, str]

    @classmethod
    def of(cls, facts: list[Fact]) -> "FactGraph":
        alias = aliases({normal(end) for fact in facts for end in (fact.subject, fact.object)})
        graph = cls(defaultdict(list), alias)
        for fact in facts:
            for end in graph.ends(fact):
                graph.by_entity[end].append(fact)
        return graph

    def entity(self, name: str) -> str:
        key = normal(name)
        return self.alias.get(key, key)

    def ends(self, fact: Fact) -> set[str]:
        return {self.entity(fact.subject), self.entity(fact.object)}

    def names(self) -> set[str]:
        return set(self.by_entity) | set(self.alias)

    def walk(self, start: set[str]) -> dict[str, int]:
        """Fact id -> hops from the question's entities (0: a fact of an entity the question names)."""
        depth = {self.entity(name): 0 for name in start}
        reached: dict[str, int] = {}
        queue = deque(depth)
        while queue:
            entity = queue.popleft()
            if depth[entity] >= MAX_HOPS:
                continue
            for fact in self.by_entity.get(entity, []):
                reached.setdefault(fact.id, depth[entity])
                for end in self.ends(fact):
                    if end not in depth:
                        depth[end] = depth[entity] + 1
                        queue.append(end)
        return reached


class GraphMemory(StoredMemory):
    """Relations walked from the question's entities, ranked by how well each matches the question."""

    name = "graph"
    kinds = ("turns", "entities", "edges", "meta")  # entities, edges: sessions written by an earlier version

    async def _recall_lines(
        self, query: str, known: KnownFacts, turns: RecallableTurns, scopes: list[Scope]
    ) -> tuple[list[Fact], list[str], dict[str, Any]]:
        graph = FactGraph.of(known.facts)
        start = named_in(query, graph.names())
        reached = graph.walk(start)
        candidates = [fact for fact in known.facts if fact.id in reached]
        relevance = {fact.id: score for fact, score in lexical_ranking(candidates, query)}
        ranked = sorted(candidates, key=lambda fact: (-relevance.get(fact.id, 0.0), reached[fact.id]))
        facts = [fact for fact in ranked if fact.id in relevance or reached[fact.id] == 0][: self.top_k]
        chain = [fact for fact in ranked if fact.id in relevance and fact not in facts and reached[fact.id] > 0]
        lines = [turn_line(item) for item, _ in self._lexical_turns(query, turns)]
        return facts + chain[:2], lines, {"start_entities": sorted(start), "reached": len(reached)}
