"""Wire shapes of `/health`, `/ready` and `/`."""

from typing import Any, Literal

from pydantic import BaseModel


class HealthStatus(BaseModel):
    status: Literal["healthy"] = "healthy"
    components: dict[str, dict[str, Any]]


class ReadyStatus(BaseModel):
    status: Literal["ready", "not_ready"]
    components: dict[str, dict[str, Any]]


class ServiceMap(BaseModel):
    service: str
    version: str
    endpoints: dict[str, Any]
