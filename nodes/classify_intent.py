"""Node `classify_intent`: decide what kind of answer the turn needs, by the ordered rule table."""

from typing import Any

from graph.state import TurnState
from nodes.intent_rules import classify
from nodes.turns import last_user_text


async def classify_intent(state: TurnState) -> dict[str, Any]:
    """Label the latest user message `workflow`, `chat` or `casual` with a confidence; rules, no model call."""
    intent, confidence, _rule = classify(last_user_text(state.messages))
    return {"intent": intent, "intent_confidence": confidence, "route_trace": [*state.route_trace, "classify_intent"]}
