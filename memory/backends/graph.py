"""`graph` memory: entities and relations taken from each turn, stored as nodes and edges; recall walks one or
two hops from the entities named in the question and returns the facts and the turns that support them.

Extraction: with an extractor model, the model lists (source, relation, target) triples under a JSON schema
(constrained decoding; the call is tagged `nostream`); without one, or when the model fails, a deterministic
extractor takes a short lower-case verb phrase between two named entities ("Alice works at Acme", "Acme is based
in Berlin"), with first-person statements attached to the entity `user`.
"""

import logging
import re
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM
from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field

from memory.backends.base import Turn
from memory.backends.stored import StoredMemory, all_items, namespace, turn_record

logger = logging.getLogger(__name__)
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


def edge_key(source: str, relation: str, target: str) -> str:
    return f"{key_of(source)}|{relation}|{key_of(target)}"


def key_of(name: str) -> str:
    return name.lower()


class Relation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    relation: str
    target: str


class Relations(BaseModel):
    """What the extractor model answers: the (source, relation, target) triples a turn states."""

    model_config = ConfigDict(extra="forbid")
    relations: list[Relation] = Field(max_length=12)


TRIPLES_SCHEMA = {"type": "json_schema", "json_schema": {"name": "relations", "schema": Relations.model_json_schema()}}
EXTRACTION_PROMPT = (
    "List the facts the user states as (source, relation, target) triples between named people, places, "
    "organisations or things. Use 'user' for the speaker. Relations are short verb phrases such as 'works at'. "
    "Reply with JSON; an empty list when there are none."
)


async def llm_relations(model: BaseChatModel, text: str) -> list[tuple[str, str, str]]:
    """Triples from the model under the JSON schema; raises when the reply is unusable."""
    reply = await model.bind(response_format=TRIPLES_SCHEMA, temperature=0, max_tokens=300).ainvoke(
        [SystemMessage(EXTRACTION_PROMPT), HumanMessage(text)], config={"tags": [TAG_NOSTREAM]}
    )
    rows = Relations.model_validate_json(reply.text).relations
    return [
        (_entity(r.source.strip()), r.relation.strip().lower(), _entity(r.target.strip()))
        for r in rows
        if r.source.strip() and r.target.strip() and r.relation.strip()
    ]


class GraphMemory(StoredMemory):
    """Entities as nodes, relations as edges, each edge pointing at the turn that said it."""

    name = "graph"
    kinds = ("turns", "entities", "edges", "meta")
    heading = "Facts about the people and things in the question, from earlier in this conversation:"

    def __init__(self, store: BaseStore, *, extractor: BaseChatModel | None = None, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.extractor = extractor
        self._graphs: OrderedDict[str, KnowledgeGraph] = OrderedDict()

    async def relations(self, text: str) -> list[tuple[str, str, str]]:
        """The model's triples when an extractor is set and answers; the deterministic extractor otherwise."""
        if self.extractor is not None:
            try:
                return await llm_relations(self.extractor, text)
            except Exception:  # a model that cannot do it leaves the rules to do it
                logger.warning("graph memory: model extraction failed; using the rules", exc_info=True)
        return extract_relations(text)

    async def remember(self, session_id: str, turn: Turn) -> None:
        """Extract the turn's relations, keep them in the turn record (so recall builds the graph from the cached
        turns, fetching only new ones) and as entity and edge items (for inspection and older readers)."""
        user_text = "\n".join(m.text for m in turn.user)
        triples = await self.relations(user_text)
        record = {**turn_record(turn), "relations": [list(triple) for triple in triples]}
        turn_key = await self._append_turn(session_id, record)
        for source, relation, target in triples:
            for name in (source, target):
                await self.store.aput(namespace(session_id, "entities"), key_of(name), {"name": name}, index=False)
            edge = {"source": source, "relation": relation, "target": target, "turn": turn_key}
            await self.store.aput(namespace(session_id, "edges"), edge_key(source, relation, target), edge, index=False)

    async def _graph(self, session_id: str, turns: list[Any]) -> "KnowledgeGraph":
        """The session's graph: rebuilt only when its turns changed (new turns, or a clear), from the relations
        kept in the turn records; a session written before they were kept there is read from its edge items."""
        version = (len(turns), turns[-1].key if turns else "")
        cached = self._graphs.get(session_id)
        if cached is not None and cached.version == version:
            self._cache(self._graphs, session_id, cached)
            return cached
        if any("relations" not in item.value for item in turns):
            graph = KnowledgeGraph.from_edges(
                version, [item.value for item in await all_items(self.store, namespace(session_id, "edges"))]
            )
        else:
            graph = KnowledgeGraph.from_turns(version, turns)
        self._cache(self._graphs, session_id, graph)
        return graph

    async def _recall_lines(self, session_id: str, query: str) -> tuple[list[str], dict[str, Any]]:
        turns = await self._turns(session_id)
        graph = await self._graph(session_id, turns)
        start = graph.mentioned_in(query)
        if re.search(r"\b(i|me|my|mine)\b|我", query.lower()):
            start.add("user")
        facts, supporting = graph.walk(start)
        by_key = {item.key: item.value for item in turns}
        lines = [f"{e['source']} {e['relation']} {e['target']}" for e in facts]
        lines += [f"(said earlier) {by_key[key]['user']}" for key in supporting if key in by_key][: self.top_k]
        return lines, {"start_entities": sorted(start), "facts": len(facts)}

    async def clear(self, session_id: str) -> None:
        self._graphs.pop(session_id, None)
        await super().clear(session_id)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.lower()))


MAX_NAME_WORDS = 6


@dataclass
class KnowledgeGraph:
    """Edges indexed by entity, and entity names by their words, so recall costs what the question touches."""

    version: tuple[int, str]
    edges: list[dict[str, Any]]
    by_entity: dict[str, list[dict[str, Any]]]
    names: dict[tuple[str, ...], str]
    """An entity's name as words (what a question must contain, as whole words) -> its key."""

    @classmethod
    def from_edges(cls, version: tuple[int, str], edges: list[dict[str, Any]]) -> "KnowledgeGraph":
        by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
        names: dict[tuple[str, ...], str] = {}
        for edge in edges:
            for end in ("source", "target"):
                by_entity[key_of(edge[end])].append(edge)
                names[_words(edge[end])] = key_of(edge[end])
        return cls(version, edges, dict(by_entity), names)

    @classmethod
    def from_turns(cls, version: tuple[int, str], turns: list[Any]) -> "KnowledgeGraph":
        """From the turns' relations in write order: a fact said again points at its latest turn."""
        edges: dict[str, dict[str, Any]] = {}
        for item in turns:
            for source, relation, target in item.value["relations"]:
                key = edge_key(source, relation, target)
                edges.pop(key, None)
                edges[key] = {"source": source, "relation": relation, "target": target, "turn": item.key}
        return cls.from_edges(version, list(edges.values()))

    def mentioned_in(self, query: str) -> set[str]:
        """Keys of the entities the query names as whole words ("Alice's" names Alice)."""
        words = _words(query)
        grams = {words[i : i + n] for n in range(1, MAX_NAME_WORDS + 1) for i in range(len(words) - n + 1)}
        return {key for name, key in self.names.items() if name and name in grams}

    def walk(self, start: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """Breadth-first over edges in both directions, at most `MAX_HOPS` from the question's entities; returns
        the facts met (in discovery order) and the turns that support them."""
        seen: dict[int, dict[str, Any]] = {}
        depth = dict.fromkeys(start, 0)
        queue = deque(start)
        while queue:
            entity = queue.popleft()
            if depth[entity] >= MAX_HOPS:
                continue
            for edge in self.by_entity.get(entity, []):
                seen.setdefault(id(edge), edge)
                ends = (key_of(edge["source"]), key_of(edge["target"]))
                other = ends[1] if ends[0] == entity else ends[0]
                if other not in depth:
                    depth[other] = depth[entity] + 1
                    queue.append(other)
        facts = list(seen.values())
        return facts, list(dict.fromkeys(edge["turn"] for edge in facts))
