"""Structural validation of a pipeline against the catalogue: pure checks, no model calls.

Every pipeline the gateway returns has passed `validate_pipeline`.
"""

from collections import defaultdict, deque

from workflows.catalogue import Catalogue
from workflows.schema import VisualPipeline


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
