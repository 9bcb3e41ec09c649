"""Node `generate_workflow`: answer a pipeline request with a validated `VisualPipeline`."""

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from turn.context import GatewayContext
from turn.conversation import last_user_text, stamp
from turn.intent_rules import REFINEMENT_RULE
from turn.state import TurnState
from workflows.generator import WorkflowDesigner, explain, workflow_payload
from workflows.schema import VisualPipeline


async def generate_workflow(
    state: TurnState, runtime: Runtime[GatewayContext], *, designer: WorkflowDesigner
) -> dict[str, Any]:
    """Design (or, when the session has one and asks to edit it, refine) a pipeline; the reply explains it and
    embeds its JSON."""
    previous = (
        VisualPipeline.model_validate(state.workflow["visual_pipeline"])
        if state.workflow and state.intent_rule == REFINEMENT_RULE
        else None
    )
    result = await designer.design(last_user_text(state.messages), previous)
    answer = stamp(AIMessage(explain(result.pipeline, result.source, refined=previous is not None)))
    return {"messages": [answer], "workflow": workflow_payload(result)}
