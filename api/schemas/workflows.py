"""Wire shapes of `POST /v1/workflows/generate`."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from memory.sessions import SESSION_ID_PATTERN


class WorkflowRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1, max_length=8000)
    session_id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN.pattern)


class WorkflowResponse(BaseModel):
    visual_pipeline: dict[str, Any]
    explanation: str
    source: Literal["llm", "template"]
