"""`graph` memory: entities and relations taken from each turn, stored as nodes and edges; recall walks one or
two hops from the entities named in the question and returns the facts and the turns that support them.

The extractor is deterministic: a relation is a short lower-case verb phrase between two named entities
("Alice works at Acme", "Acme is based in Berlin"), with first-person statements attached to the entity `user`.
"""

import re
from collections import deque
from typing import Any

from memory.backends.base import Turn
from memory.backends.stored import StoredMemory, all_items, namespace, new_key, turn_record
from memory.text import message_text

ENTITY = r"(?:[A-Z][\w&-]*(?:\s+(?:of\s+)?[A-Z][\w&-]*)*|I)"
RELATION = re.compile(
    rf"(?P<source>{ENTITY})\s+(?P<relation>(?:[a-z']+\s+){{0,4}}?[a-z']+)\s+(?:the\s+|a\s+|an\s+)?(?P<target>{ENTITY})\b"
)
POSSESSIVE = re.compile(rf"(?P<owner>{ENTITY})'s\s+(?P<role>[a-z]+)\s+is\s+(?P<target>{ENTITY})\b")
MY_ROLE = re.compile(rf"\b[Mm]y\s+(?P<role>[a-z]+)\s*,?\s+(?P<name>{ENTITY})\b")
STOP_ENTITIES = {"My", "The", "A", "An", "It", "This", "That", "What", "Where", "Who", "When", "Why", "How", "Which"}
MAX_HOPS = 2


def _entity(name: str) -> str:
    return "user" if name in ("I", "me") else name.strip()


def extract_relations(text: str) -> list[tuple[str, str, str]]:
    """(source, relation, target) triples found in `text`, sentence by sentence."""
    triples: list[tuple[str, str, str]] = []
    for sentence in re.split(r"(?<=[.!?。！？])\s*|\n", text):
        for match in MY_ROLE.finditer(sentence):
            triples.append((_entity(match["name"]), f"is {match['role']} of", "user"))
        sentence = MY_ROLE.sub(lambda m: m["name"], sentence)
        for match in POSSESSIVE.finditer(sentence):
            triples.append((_entity(match["target"]), f"is {match['role']} of", _entity(match["owner"])))
        for match in RELATION.finditer(sentence):
            source, target = match["source"], match["target"]
            if source in STOP_ENTITIES or target in STOP_ENTITIES or "'s" in match.group(0):
                continue
            triples.append((_entity(source), match["relation"].strip(), _entity(target)))
    return triples


def key_of(name: str) -> str:
    return name.lower()


class GraphMemory(StoredMemory):
    """Entities as nodes, relations as edges, each edge pointing at the turn that said it."""

    name = "graph"
    kinds = ("turns", "entities", "edges")
    heading = "Facts about the people and things in the question, from earlier in this conversation:"

    async def remember(self, session_id: str, turn: Turn) -> None:
        record = turn_record(turn)
        turn_key = new_key()
        await self.store.aput(namespace(session_id, "turns"), turn_key, record, index=False)
        user_text = "\n".join(message_text(m) for m in turn.user)
        for source, relation, target in extract_relations(user_text):
            for name in (source, target):
                await self.store.aput(namespace(session_id, "entities"), key_of(name), {"name": name}, index=False)
            edge = {"source": source, "relation": relation, "target": target, "turn": turn_key}
            edge_key = f"{key_of(source)}|{relation}|{key_of(target)}"
            await self.store.aput(namespace(session_id, "edges"), edge_key, edge, index=False)

    async def _recall_lines(self, session_id: str, query: str) -> tuple[list[str], dict[str, Any]]:
        entities = [item.value["name"] for item in await all_items(self.store, namespace(session_id, "entities"))]
        lowered = query.lower()
        start = {key_of(name) for name in entities if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered)}
        if re.search(r"\b(i|me|my|mine)\b|我", lowered):
            start.add("user")
        edges = [item.value for item in await all_items(self.store, namespace(session_id, "edges"))]
        facts, supporting = self._walk(start, edges)
        turns = {item.key: item.value for item in await all_items(self.store, namespace(session_id, "turns"))}
        lines = [f"{e['source']} {e['relation']} {e['target']}" for e in facts]
        lines += [f"(said earlier) {turns[key]['user']}" for key in supporting if key in turns][: self.top_k]
        return lines, {"start_entities": sorted(start), "facts": len(facts)}

    @staticmethod
    def _walk(start: set[str], edges: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Breadth-first over edges in both directions, at most `MAX_HOPS` from the question's entities."""
        seen_edges: list[dict[str, Any]] = []
        depth = {entity: 0 for entity in start}
        queue = deque(start)
        while queue:
            entity = queue.popleft()
            if depth[entity] >= MAX_HOPS:
                continue
            for edge in edges:
                ends = (key_of(edge["source"]), key_of(edge["target"]))
                if entity not in ends:
                    continue
                if edge not in seen_edges:
                    seen_edges.append(edge)
                other = ends[1] if ends[0] == entity else ends[0]
                if other not in depth:
                    depth[other] = depth[entity] + 1
                    queue.append(other)
        supporting = list(dict.fromkeys(edge["turn"] for edge in seen_edges))
        return seen_edges, supporting
