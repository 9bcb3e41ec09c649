"""`POST /v1/workflows/generate`: a pipeline for the Studio canvas, as structured data."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.auth import ClientDep
from api.deps import ResourcesDep, SessionsDep
from api.routes.sessions import existing_session
from memory.sessions import SESSION_ID_PATTERN
from nodes.workflow_generator import design_pipeline, explain
from nodes.workflow_schema import VisualPipeline

router = APIRouter(prefix="/v1/workflows", tags=["workflows"])


class WorkflowRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1, max_length=8000)
    session_id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN.pattern)


class WorkflowResponse(BaseModel):
    visual_pipeline: dict[str, Any]
    explanation: str
    source: Literal["llm", "template"]


@router.post("/generate", response_model=WorkflowResponse)
async def generate_workflow(
    payload: WorkflowRequest, resources: ResourcesDep, sessions: SessionsDep, caller: ClientDep
) -> WorkflowResponse:
    """Design a pipeline for `prompt`; with a `session_id`, refine that session's latest pipeline."""
    previous = None
    if payload.session_id is not None:
        await existing_session(sessions, payload.session_id, caller)
        workflow = await sessions.channel(payload.session_id, "workflow")
        previous = VisualPipeline.model_validate(workflow["visual_pipeline"]) if workflow else None
    result = await design_pipeline(resources.chat_model, resources.catalogue, payload.prompt, previous)
    return WorkflowResponse(
        visual_pipeline=result.pipeline.model_dump(),
        explanation=explain(result.pipeline, result.source, refined=previous is not None),
        source=result.source,
    )
