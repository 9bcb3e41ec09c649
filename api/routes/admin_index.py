"""`/admin/index/*`: build (in the background), inspect and delete the RAG index."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SettingsDep
from api.errors import OpenAIError
from ingest.loaders import SourceOutsideRootsError
from ingest.service import IndexBusyError, IndexService

router = APIRouter(prefix="/admin/index", tags=["admin"])


class IndexBuildRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_dir: str | None = Field(default=None, min_length=1, max_length=4096)
    force_rebuild: bool = False


def _service(request: Request) -> IndexService:
    service = request.app.state.resources.index
    if service is None:
        raise OpenAIError(503, "this gateway has no index configured", code="index_unavailable")
    return service


def _status(service: IndexService) -> dict[str, Any]:
    job = service.job.public() if service.job else None
    manifest = service.loaded.manifest if service.loaded else None
    if service.building:
        return {"status": "building", "job": job, "index": manifest}
    if manifest is not None:
        return {"status": "ready", "index": manifest, "job": job}
    return {"status": "not_found", "message": "no index has been built", "job": job}


@router.get("/status")
async def index_status(request: Request) -> dict[str, Any]:
    """`not_found`, `building` (with the job's progress) or `ready` (with the manifest)."""
    return _status(_service(request))


@router.post("/build", status_code=202)
async def build_index(
    request: Request, settings: SettingsDep, payload: IndexBuildRequest | None = None
) -> JSONResponse:
    """Start a background build from `source_dir` (inside the configured roots); poll the status route."""
    service = _service(request)
    payload = payload or IndexBuildRequest()
    source = payload.source_dir or str(settings.default_docs_dir)
    try:
        job = service.start_build(Path(source), force=payload.force_rebuild)
    except SourceOutsideRootsError as exc:
        raise OpenAIError(403, str(exc), param="source_dir", code="source_outside_roots") from exc
    except FileNotFoundError as exc:
        raise OpenAIError(400, str(exc), param="source_dir", code="source_not_found") from exc
    except IndexBusyError as exc:
        raise OpenAIError(409, str(exc), code="index_busy") from exc
    return JSONResponse({"status": "building", "job": job.public()}, status_code=202)


@router.delete("")
async def delete_index(request: Request) -> dict[str, Any]:
    """Delete the index (every version); `not_found` when there was none."""
    try:
        deleted = await _service(request).delete()
    except IndexBusyError as exc:
        raise OpenAIError(409, str(exc), code="index_busy") from exc
    return {"status": "deleted" if deleted else "not_found"}
