"""`POST /v1/workflows/generate`: a pipeline for the Studio canvas, as structured data."""

from fastapi import APIRouter

from api.auth import ClientDep
from api.deps import GatewayDep, caller_session
from api.schemas.workflows import WorkflowRequest, WorkflowResponse
from workflows.generator import explain
from workflows.schema import VisualPipeline

router = APIRouter(prefix="/v1/workflows", tags=["workflows"])


@router.post("/generate", response_model=WorkflowResponse)
async def generate_workflow(payload: WorkflowRequest, gateway: GatewayDep, caller: ClientDep) -> WorkflowResponse:
    """Design a pipeline for `prompt`; with a `session_id`, refine that session's latest pipeline. The design goes
    through the same designer (model, circuit breaker) as a chat turn's, and is counted in the same metrics."""
    previous = None
    if payload.session_id is not None:
        await caller_session(payload.session_id, gateway.sessions, caller.owner)
        workflow = await gateway.sessions.channel(payload.session_id, "workflow")
        previous = VisualPipeline.model_validate(workflow["visual_pipeline"]) if workflow else None
    result = await gateway.resources.workflow_designer.design(payload.prompt, previous)
    gateway.metrics.workflow_designed(result.source)
    explanation = explain(result.pipeline, result.source, refined=previous is not None)
    return WorkflowResponse(visual_pipeline=result.pipeline.model_dump(), explanation=explanation, source=result.source)
