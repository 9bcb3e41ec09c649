"""Turn a model's draft, or the user's words alone, into a valid `VisualPipeline`.

The model is asked for a small draft (steps with catalogue types, and source -> target links); ids, ports,
config defaults and positions are filled in here, so the model only decides what it is good at. The template
composer needs no model at all: it picks catalogue operators named in the request and orders them by stage.
"""

import re
from collections import defaultdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from workflows.catalogue import Catalogue
from workflows.schema import Connection, PipelineNode, Position, VisualPipeline
from workflows.validation import topological_order


class DraftStep(BaseModel):
    """One step of a draft. Links are written on the step they enter (`inputs`), which small models get right far
    more often than a separate edge list."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,23}$")
    type: str
    inputs: list[str] = Field(max_length=4)


def draft_json_schema(catalogue: Catalogue) -> dict[str, Any]:
    """JSON schema of a draft: a name and 2-10 ordered steps whose `type` is an enum of the catalogue's types, so
    constrained decoding cannot invent one."""
    types: Any = Literal[tuple(sorted(catalogue.operators))]
    step = create_model("DraftStep", __base__=DraftStep, type=(types, ...))
    draft = create_model(
        "PipelineDraft",
        __config__=ConfigDict(extra="forbid"),
        name=(str, Field(max_length=80)),
        steps=(list[step], Field(min_length=2, max_length=10)),
    )
    return draft.model_json_schema()


def _links(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """Edges of a draft: its `connections`, plus one per entry of each step's `inputs`."""
    links = list(draft.get("connections") or [])
    for step in draft["steps"]:
        links += [{"source": source, "target": step.get("id")} for source in step.get("inputs") or []]
    return links


def pipeline_from_draft(draft: dict[str, Any], catalogue: Catalogue, *, source: str) -> VisualPipeline:
    """Fill ids, ports, default config and positions into a draft. Raises `KeyError`/`ValueError` on nonsense."""
    taken: set[str] = set()
    id_map: dict[str, str] = {}
    nodes: list[PipelineNode] = []
    for step in draft["steps"]:
        operator = catalogue.operators[step["type"]]
        node_id = slug_id(str(step.get("id") or operator.type), taken)
        taken.add(node_id)
        id_map.setdefault(str(step.get("id") or node_id), node_id)
        config = operator.default_config() | {
            k: v for k, v in (step.get("config") or {}).items() if k in operator.config
        }
        label = str(step.get("label") or operator.label)[:120] or operator.label
        nodes.append(
            PipelineNode(id=node_id, type=operator.type, label=label, position=Position(x=0, y=0), config=config)
        )
    by_id = {node.id: node for node in nodes}
    edges = []
    for link in _links(draft):
        source_id, target_id = (
            id_map.get(str(link["source"]), str(link["source"])),
            id_map.get(str(link["target"]), str(link["target"])),
        )
        edges.append((source_id, target_id))
    connections = []
    for number, (source_id, target_id) in enumerate(dict.fromkeys(edges), start=1):
        source_node, target_node = by_id.get(source_id), by_id.get(target_id)
        source_port = catalogue.operators[source_node.type].outputs[:1] if source_node else ()
        target_port = catalogue.operators[target_node.type].inputs[:1] if target_node else ()
        connections.append(
            Connection(
                id=f"e{number}",
                source=source_id,
                sourcePort=source_port[0] if source_port else "",
                target=target_id,
                targetPort=target_port[0] if target_port else "",
            )
        )
    positions = layout(
        [n.id for n in nodes], [(c.source, c.target) for c in connections if c.source in by_id and c.target in by_id]
    )
    for node in nodes:
        node.position = positions[node.id]
    return VisualPipeline(
        name=str(draft.get("name") or "Generated pipeline")[:120],
        description=str(draft.get("description") or "")[:2000],
        nodes=nodes,
        connections=connections,
        metadata={"source": source, "generator": "sage-llm-gateway"},
    )


def draft_of(pipeline: VisualPipeline) -> dict[str, Any]:
    """The draft form of a pipeline (what the model sees when asked to refine it)."""
    feeds: dict[str, list[str]] = {n.id: [] for n in pipeline.nodes}
    for connection in pipeline.connections:
        feeds[connection.target].append(connection.source)
    return {
        "name": pipeline.name,
        "description": pipeline.description,
        "steps": [{"id": n.id, "type": n.type, "label": n.label, "inputs": feeds[n.id]} for n in pipeline.nodes],
    }


def _mentions(text: str, keyword: str) -> int:
    """Position of `keyword` in `text` (word-bounded for Latin words), or -1."""
    if re.fullmatch(r"[\x00-\x7f]+", keyword):
        match = re.search(rf"(?<![a-z]){re.escape(keyword.lower())}", text)
        return match.start() if match else -1
    return text.find(keyword)


def operators_named(text: str, catalogue: Catalogue) -> list[str]:
    """Catalogue types whose keywords appear in `text`, in the order they are mentioned."""
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for operator in catalogue.operators.values():
        hits = [pos for keyword in operator.keywords if (pos := _mentions(lowered, keyword)) >= 0]
        if hits:
            found.append((min(hits), operator.type))
    return [type_ for _, type_ in sorted(found)]


def compose_from_template(request: str, catalogue: Catalogue) -> VisualPipeline:
    """A deterministic pipeline from the operators the request names, completed into a sensible chain.

    Stages follow the catalogue's order (source, filter, splitter, embedder, retriever, reranker, promptor,
    generator, sink). Document sources feed the first later stage (several of them make it branch: a DAG); the
    question source, next to a document source, feeds the retriever.
    """
    named = operators_named(request, catalogue)
    categories = {catalogue.operators[t].category for t in named}
    chosen = list(named)
    if "retrievers" in categories and "embedders" not in categories and "vector_retriever" in chosen:
        chosen.append("embedder")
    if {"embedders", "retrievers"} & categories and "splitters" not in categories:
        chosen.append("text_splitter")
    if "retrievers" in categories and "promptors" not in categories:
        chosen.append("qa_promptor")
    if {"retrievers", "promptors"} & categories and "generators" not in categories:
        chosen.append("llm_generator")
    if "sources" not in categories:
        chosen.insert(0, "query_source" if "retrievers" in categories else "file_source")
    if "sinks" not in categories or chosen[-1] == "vector_index" and "generators" in categories:
        chosen.append("chat_output")
    chosen = list(dict.fromkeys(chosen))
    stages = {type_: catalogue.stage(type_) for type_ in chosen}
    ordered = sorted(chosen, key=lambda t: (stages[t], chosen.index(t)))
    sources = [t for t in ordered if catalogue.operators[t].category == "sources"]
    rest = [t for t in ordered if t not in sources and catalogue.operators[t].outputs]
    sinks = [t for t in ordered if t not in sources and not catalogue.operators[t].outputs]
    steps = [{"id": t, "type": t, "label": catalogue.operators[t].label} for t in ordered]
    connections = []
    first_rest = rest[0] if rest else (sinks[0] if sinks else None)
    retriever = next((t for t in rest if catalogue.operators[t].category == "retrievers"), None)
    for source in sources:
        # Beside a document source, the user's question goes to retrieval, not through the document preparation.
        target = retriever if source == "query_source" and len(sources) > 1 and retriever else first_rest
        if target:
            connections.append({"source": source, "target": target})
    for upstream, downstream in zip(rest, rest[1:], strict=False):
        connections.append({"source": upstream, "target": downstream})
    if rest:
        for sink in sinks:
            connections.append({"source": rest[-1], "target": sink})
    title = " → ".join(catalogue.operators[t].label for t in ordered)
    draft = {
        "name": title[:120],
        "description": f"Composed from the request: {request[:300]}",
        "steps": steps,
        "connections": connections,
    }
    return pipeline_from_draft(draft, catalogue, source="template")


_EDIT = re.compile(
    r"(?P<verb>add|insert|put|remove|delete|drop|添加|加上|加入|插入|删除|去掉|移除|加)\s*(an?\s+|一个)?(?P<what>.+?)"
    r"(\s*(?P<where>before|after|在)\s*(the\s+)?(?P<anchor>.+?))?\s*[.!。]?$",
    re.IGNORECASE,
)
_REMOVE_VERBS = {"remove", "delete", "drop", "删除", "去掉", "移除"}


def _remove(
    steps: list[dict[str, Any]], links: list[dict[str, Any]], doomed: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Drop steps and reconnect their inputs to their outputs, so the chain stays whole."""
    incoming = [link["source"] for link in links if link["target"] in doomed and link["source"] not in doomed]
    outgoing = [link["target"] for link in links if link["source"] in doomed and link["target"] not in doomed]
    kept = [link for link in links if link["source"] not in doomed and link["target"] not in doomed]
    kept += [{"source": a, "target": b} for a in incoming for b in outgoing]
    return [step for step in steps if step["id"] not in doomed], kept


def _insert(links: list[dict[str, Any]], new_id: str, anchor: str, before: bool) -> list[dict[str, Any]]:
    """Splice `new_id` into the links just before (or after) `anchor`."""
    if before:
        moved = [{**link, "target": new_id} if link["target"] == anchor else link for link in links]
        return [*moved, {"source": new_id, "target": anchor}]
    moved = [{**link, "source": new_id} if link["source"] == anchor else link for link in links]
    return [*moved, {"source": anchor, "target": new_id}]


def refine_template(previous: VisualPipeline, instruction: str, catalogue: Catalogue) -> VisualPipeline | None:
    """Apply "add X [before|after Y]" or "remove X" without a model; None when the instruction is not understood."""
    match = _EDIT.search(instruction.strip())
    what = operators_named(match["what"], catalogue) if match else []
    if not match or not what:
        return None
    draft = draft_of(previous)
    links = _links(draft)
    steps = [{key: value for key, value in step.items() if key != "inputs"} for step in draft["steps"]]
    type_of = {step["id"]: step["type"] for step in steps}
    if match["verb"].lower() in _REMOVE_VERBS:
        doomed = {step_id for step_id, type_ in type_of.items() if type_ == what[0]}
        if not doomed:
            return None
        steps, links = _remove(steps, links, doomed)
    else:
        new_type = what[0]
        new_id = slug_id(new_type, set(type_of))
        anchor_text = match["anchor"] or ""
        anchor_types = operators_named(anchor_text, catalogue)
        anchors = [step_id for step_id, type_ in type_of.items() if anchor_types and type_ == anchor_types[0]]
        before = (match["where"] or "before").lower() != "after" and not anchor_text.endswith(("之后", "后面", "后"))
        if not anchors:  # no anchor named: by stage, before the first step of a later stage
            order = topological_order(list(type_of), [(link["source"], link["target"]) for link in links])
            later = [i for i in order if catalogue.stage(type_of[i]) > catalogue.stage(new_type)]
            anchors, before = (later, True) if later else (order[-1:], False)
        links = _insert(links, new_id, anchors[0], before)
        steps = [*steps, {"id": new_id, "type": new_type, "label": catalogue.operators[new_type].label}]
    return pipeline_from_draft({**draft, "steps": steps, "connections": links}, catalogue, source="template")


def layout(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, Position]:
    """Left-to-right layers by longest path from a source; nodes of one layer stacked vertically."""
    depth = {node: 0 for node in ids}
    for node in topological_order(ids, edges):
        for source, target in edges:
            if source == node:
                depth[target] = max(depth[target], depth[node] + 1)
    rows: dict[int, int] = defaultdict(int)
    positions = {}
    for node in ids:
        layer = depth[node]
        positions[node] = Position(x=100 + 260 * layer, y=100 + 140 * rows[layer])
        rows[layer] += 1
    return positions


def slug_id(text: str, taken: set[str]) -> str:
    """A node id from a type or label, unique among `taken`."""
    base = re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_-")[:40] or "node"
    if not base[0].isalpha():
        base = f"n_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate
