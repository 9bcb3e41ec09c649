"""Node `classify_intent`: decide what kind of answer the turn needs.

The ordered rule table decides first. When no rule matched and an LLM classifier is configured, the model picks
the label with schema-constrained output; its call is tagged `nostream` so it never reaches the client's stream.
"""

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM

from graph.state import TurnState
from nodes.intent_rules import NO_MATCH_CONFIDENCE, IntentRules
from nodes.prompts import INTENT_CLASSIFIER_PROMPT
from nodes.turns import last_user_text

INTENT_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "intent",
        "schema": {
            "type": "object",
            "properties": {
                "intent": {"type": "string", "enum": ["workflow", "chat", "casual"]},
                "reason": {"type": "string"},
            },
            "required": ["intent", "reason"],
            "additionalProperties": False,
        },
    },
}


async def llm_intent(model: BaseChatModel, text: str) -> str | None:
    """The model's label for `text`, or None when it gave no usable answer."""
    reply = await model.bind(response_format=INTENT_SCHEMA, temperature=0, max_tokens=80).ainvoke(
        [SystemMessage(INTENT_CLASSIFIER_PROMPT), HumanMessage(text)], config={"tags": [TAG_NOSTREAM]}
    )
    try:
        label = json.loads(str(reply.content))["intent"]
    except (ValueError, KeyError, TypeError):
        return None
    return label if label in ("workflow", "chat", "casual") else None


async def classify_intent(
    state: TurnState, *, rules: IntentRules, classifier: BaseChatModel | None = None
) -> dict[str, Any]:
    """Label the latest user message `workflow`, `chat` or `casual`, with a confidence and the deciding rule."""
    text = last_user_text(state.messages)
    intent, confidence, rule = rules.classify(text, has_workflow=state.workflow is not None)
    if classifier is not None and confidence <= NO_MATCH_CONFIDENCE:
        try:
            label = await llm_intent(classifier, text)
        except Exception:  # the classifier is an optional refinement: the rules' answer stands
            label = None
        if label is not None:
            intent, confidence, rule = label, 0.7, "llm-classifier"
    return {
        "intent": intent,
        "intent_confidence": confidence,
        "intent_rule": rule,
        "route_trace": [*state.route_trace, "classify_intent"],
    }
