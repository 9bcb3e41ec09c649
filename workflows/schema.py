"""The Studio pipeline format (`VisualPipeline`): what the canvas opens and what every design returns."""

from typing import Any

from pydantic import BaseModel, Field

NODE_ID = r"^[a-z][a-z0-9_-]{0,63}$"


class Position(BaseModel):
    x: float
    y: float


class PipelineNode(BaseModel):
    id: str = Field(pattern=NODE_ID)
    type: str
    label: str = Field(min_length=1, max_length=120)
    position: Position
    config: dict[str, Any] = Field(default_factory=dict)


class Connection(BaseModel):
    id: str
    source: str
    sourcePort: str  # noqa: N815 (the Studio format's field name)
    target: str
    targetPort: str  # noqa: N815


class VisualPipeline(BaseModel):
    """A pipeline the Studio canvas opens: nodes with positions and config, and port-to-port connections."""

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    nodes: list[PipelineNode] = Field(min_length=1, max_length=64)
    connections: list[Connection] = Field(default_factory=list, max_length=256)
    metadata: dict[str, Any] = Field(default_factory=dict)
