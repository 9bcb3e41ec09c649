"""The Studio pipeline format (`VisualPipeline`), the operator catalogue, and structural validation.

Pure data and checks, no model calls: every pipeline the gateway returns has passed `validate_pipeline`.
"""

import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

CATALOGUE_PATH = Path(__file__).parent / "data" / "operators.json"
NODE_ID = r"^[a-z][a-z0-9_-]{0,63}$"


class Position(BaseModel):
    x: float
    y: float


class PipelineNode(BaseModel):
    id: str = Field(pattern=NODE_ID)
    type: str
    label: str = Field(min_length=1, max_length=120)
    position: Position
    config: dict[str, Any] = Field(default_factory=dict)


class Connection(BaseModel):
    id: str
    source: str
    sourcePort: str  # noqa: N815 (the Studio format's field name)
    target: str
    targetPort: str  # noqa: N815


class VisualPipeline(BaseModel):
    """A pipeline the Studio canvas opens: nodes with positions and config, and port-to-port connections."""

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    nodes: list[PipelineNode] = Field(min_length=1, max_length=64)
    connections: list[Connection] = Field(default_factory=list, max_length=256)
    metadata: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Operator:
    """One catalogue entry: what it is, its ports, its config schema with defaults, and words that name it."""

    type: str
    category: str
    label: str
    description: str
    keywords: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    config: dict[str, dict[str, Any]]

    def default_config(self) -> dict[str, Any]:
        return {name: spec["default"] for name, spec in self.config.items()}


@dataclass(frozen=True)
class Catalogue:
    operators: dict[str, Operator]
    stage_order: tuple[str, ...]

    def stage(self, type_: str) -> int:
        return self.stage_order.index(self.operators[type_].category)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The operator catalogue (read once; it is data shipped with the package)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    operators = {
        row["type"]: Operator(
            row["type"],
            row["category"],
            row["label"],
            row["description"],
            tuple(row["keywords"]),
            tuple(row["inputs"]),
            tuple(row["outputs"]),
            row["config"],
        )
        for row in data["operators"]
    }
    return Catalogue(operators, tuple(data["stage_order"]))


def validate_pipeline(pipeline: VisualPipeline, catalogue: Catalogue) -> list[str]:
    """Everything structurally wrong with a pipeline: unknown types, bad ports, dangling ids, duplicates, cycles."""
    errors: list[str] = []
    ids = [node.id for node in pipeline.nodes]
    if len(set(ids)) != len(ids):
        errors.append("node ids must be unique")
    nodes = {node.id: node for node in pipeline.nodes}
    for node in pipeline.nodes:
        operator = catalogue.operators.get(node.type)
        if operator is None:
            errors.append(f"node {node.id}: unknown type {node.type!r}")
            continue
        unknown = set(node.config) - set(operator.config)
        if unknown:
            errors.append(f"node {node.id}: unknown config keys {sorted(unknown)}")
    fed = {c.target for c in pipeline.connections}
    for node in pipeline.nodes:
        operator = catalogue.operators.get(node.type)
        if operator and operator.inputs and node.id not in fed and len(pipeline.nodes) > 1:
            errors.append(f"step {node.id} ({node.type}) needs at least one input")
    for connection in pipeline.connections:
        source, target = nodes.get(connection.source), nodes.get(connection.target)
        if source is None or target is None:
            errors.append(f"connection {connection.id}: unknown node {connection.source!r} or {connection.target!r}")
            continue
        if connection.source == connection.target:
            errors.append(f"connection {connection.id}: a node cannot feed itself")
        source_op, target_op = catalogue.operators.get(source.type), catalogue.operators.get(target.type)
        if source_op and not source_op.outputs:
            errors.append(f"step {source.id} ({source.type}) is a sink: no step can take it as an input")
        elif source_op and connection.sourcePort not in source_op.outputs:
            errors.append(f"connection {connection.id}: {source.type} has no output port {connection.sourcePort!r}")
        if target_op and not target_op.inputs:
            errors.append(f"step {target.id} ({target.type}) is a source: its inputs must be empty")
        elif target_op and connection.targetPort not in target_op.inputs:
            errors.append(f"connection {connection.id}: {target.type} has no input port {connection.targetPort!r}")
    if not errors and has_cycle(ids, [(c.source, c.target) for c in pipeline.connections]):
        errors.append("connections form a cycle; a pipeline must be a DAG")
    return errors


def has_cycle(ids: list[str], edges: list[tuple[str, str]]) -> bool:
    """Kahn's algorithm: a graph is acyclic exactly when every node can be ordered."""
    return len(topological_order(ids, edges)) != len(ids)


def topological_order(ids: list[str], edges: list[tuple[str, str]]) -> list[str]:
    incoming: dict[str, int] = {node: 0 for node in ids}
    outgoing: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        outgoing[source].append(target)
        incoming[target] = incoming.get(target, 0) + 1
    ready = deque(node for node in ids if incoming[node] == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in outgoing[node]:
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return order


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
