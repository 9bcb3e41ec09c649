"""What a client showing progress learns about one finished node: its name, when, and what it decided.

The graph knows its nodes, so the summaries are written here; the API only forwards them (`sage.step` events).
"""

from typing import Any

from graph.names import CLASSIFY_INTENT, GENERATE_WORKFLOW, LOAD_MEMORY, RETRIEVE


def step_summary(node: str, update: Any, elapsed: float) -> dict[str, Any]:
    """The node's name, the milliseconds since the turn started, and the decision it made (if any)."""
    summary: dict[str, Any] = {"node": node, "elapsed_ms": round(elapsed * 1000, 1)}
    if not isinstance(update, dict):
        return summary
    if node == CLASSIFY_INTENT:
        summary.update(intent=update.get("intent"), confidence=update.get("intent_confidence"))
    elif node == RETRIEVE:
        summary["sources"] = len(update.get("sources") or [])
    elif node == LOAD_MEMORY:
        summary["recalled_messages"] = len(update.get("memory_context") or [])
    elif node == GENERATE_WORKFLOW:
        summary["workflow"] = bool(update.get("workflow"))
    if update.get("error"):
        summary["error"] = update["error"]
    return summary
