"""The `sage` response extension: how the gateway answered a turn, in every protocol's responses."""

from typing import Any

from api.turn_result import TurnResult


def sage_extension(result: TurnResult) -> dict[str, Any]:
    """The `sage` object of a response: how the turn was answered."""
    facts = result.facts
    extension: dict[str, Any] = {
        "session_id": result.session_id or None,
        "intent": facts.intent,
        "route": facts.trace,
        "fallback": facts.fallback,
        "sources": facts.sources,
    }
    if facts.citations is not None:
        extension["citations"] = facts.citations
    if facts.route == "workflow" and facts.workflow:
        extension["workflow"] = facts.workflow
    if result.usage.estimated:
        extension["usage_estimated"] = True
    if result.choices_repeated:
        extension["choices_repeated"] = True
    return extension
