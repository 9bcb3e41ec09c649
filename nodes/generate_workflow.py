"""Node `generate_workflow`: answer a pipeline request with a validated `VisualPipeline`."""

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage

from graph.state import TurnState
from nodes.generate_answer import stamp
from nodes.turns import last_user_text
from nodes.workflow_generator import design_pipeline, explain, workflow_payload
from nodes.workflow_schema import Catalogue, VisualPipeline


async def generate_workflow(state: TurnState, *, chat_model: BaseChatModel, catalogue: Catalogue) -> dict[str, Any]:
    """Design (or, when the session has one, refine) a pipeline; the reply explains it and embeds its JSON."""
    previous = (
        VisualPipeline.model_validate(state.workflow["visual_pipeline"])
        if state.workflow and state.intent_rule == "workflow-refinement"
        else None
    )
    result = await design_pipeline(chat_model, catalogue, last_user_text(state.messages), previous)
    answer = stamp(AIMessage(explain(result.pipeline, result.source, refined=previous is not None)))
    return {
        "messages": [answer],
        "workflow": workflow_payload(result),
        "route_trace": [*state.route_trace, "generate_workflow"],
    }
