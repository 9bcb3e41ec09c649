"""Node `classify_intent`: decide what kind of answer the turn needs, and so the route that answers it.

The ordered rule table decides first. When no rule matched and an LLM classifier is configured, the model picks
the label with schema-constrained output; its call is tagged `nostream` so it never reaches the client's stream.
"""

import logging
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, ValidationError

from turn.context import GatewayContext
from turn.conversation import last_user_text
from turn.intent_rules import NO_MATCH_CONFIDENCE, IntentRules
from turn.prompts import INTENT_CLASSIFIER_PROMPT
from turn.state import ROUTE_OF_INTENT, Intent, TurnState

logger = logging.getLogger(__name__)
LLM_CONFIDENCE = 0.7


class IntentLabel(BaseModel):
    """The classifier's answer: a label and why (the reason makes small models pick the label more carefully)."""

    model_config = ConfigDict(extra="forbid")
    intent: Intent
    reason: str


INTENT_SCHEMA = {
    "type": "json_schema",
    "json_schema": {"name": "intent", "schema": IntentLabel.model_json_schema()},
}


async def llm_intent(model: BaseChatModel, text: str) -> Intent | None:
    """The model's label for `text`, or None when it gave no usable answer."""
    reply = await model.bind(response_format=INTENT_SCHEMA, temperature=0, max_tokens=80).ainvoke(
        [SystemMessage(INTENT_CLASSIFIER_PROMPT), HumanMessage(text)], config={"tags": [TAG_NOSTREAM]}
    )
    try:
        return IntentLabel.model_validate_json(reply.text).intent
    except ValidationError:
        return None


async def classify_intent(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    *,
    rules: IntentRules,
    classifier: BaseChatModel | None = None,
) -> dict[str, Any]:
    """Label the latest user message `workflow`, `chat` or `casual`, with a confidence and the deciding rule.

    A request whose answer must be a tool call or JSON (it carries tools or a JSON `response_format`) takes the
    direct route whatever it says: the label is still recorded, but no passages or workflow text may shape it.
    """
    context = runtime.context or GatewayContext()
    if context.wants_direct_answer:
        return {"intent": "chat", "intent_confidence": 1.0, "intent_rule": "client-output-format", "route": "direct"}
    text = last_user_text(state.messages)
    intent, confidence, rule = rules.classify(text, has_workflow=state.workflow is not None)
    if classifier is not None and confidence <= NO_MATCH_CONFIDENCE:
        try:
            label = await llm_intent(classifier, text)
        except Exception as exc:  # the classifier is an optional refinement: the rules' answer stands
            logger.warning("intent classifier failed (%s); the rules' answer stands", type(exc).__name__)
            label = None
        if label is not None:
            intent, confidence, rule = label, LLM_CONFIDENCE, "llm-classifier"
    return {
        "intent": intent,
        "intent_confidence": confidence,
        "intent_rule": rule,
        "route": ROUTE_OF_INTENT[intent],
    }
