"""Wire shapes of `/admin/index/*`."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class IndexBuildRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_dir: str | None = Field(default=None, min_length=1, max_length=4096)
    force_rebuild: bool = False


class IndexStatus(BaseModel):
    """`not_found`, `building` (with the job's progress) or `ready` (with the manifest)."""

    status: Literal["not_found", "building", "ready"]
    job: dict[str, Any] | None
    index: dict[str, Any] | None = Field(default=None, exclude_if=lambda value: value is None)
    message: str | None = Field(default=None, exclude_if=lambda value: value is None)


class IndexBuildStarted(BaseModel):
    status: Literal["building"] = "building"
    job: dict[str, Any]


class IndexDeleted(BaseModel):
    status: Literal["deleted", "not_found"]
