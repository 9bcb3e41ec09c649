"""Wire shapes of `/health`, `/ready` and `/`."""

from typing import Any, Literal

from pydantic import BaseModel


class SessionTotals(BaseModel):
    total_sessions: int
    total_messages: int


class HealthStatus(BaseModel):
    status: Literal["healthy"] = "healthy"
    components: dict[str, dict[str, Any]]
    sessions: SessionTotals | None
    """None when the store cannot answer."""


class ReadyStatus(BaseModel):
    status: Literal["ready", "not_ready"]
    components: dict[str, dict[str, Any]]


class ServiceMap(BaseModel):
    service: str
    version: str
    endpoints: dict[str, Any]
