"""`/admin/index/*`: build (in the background), inspect and delete the RAG index."""

from pathlib import Path

from fastapi import APIRouter

from api.deps import GatewayDep, IndexDep
from api.errors import OpenAIError
from api.schemas.index import IndexBuildRequest, IndexBuildStarted, IndexDeleted, IndexStatus
from ingest.loaders import SourceOutsideRootsError
from ingest.service import IndexBusyError, IndexService

router = APIRouter(prefix="/admin/index", tags=["admin"])


def status_of(index: IndexService) -> IndexStatus:
    job = index.job.public() if index.job else None
    manifest = index.loaded.manifest if index.loaded else None
    if index.building:
        return IndexStatus(status="building", job=job, index=manifest)
    if manifest is not None:
        return IndexStatus(status="ready", job=job, index=manifest)
    return IndexStatus(status="not_found", job=job, message="no index has been built")


@router.get("/status", response_model=IndexStatus)
async def index_status(index: IndexDep) -> IndexStatus:
    """`not_found`, `building` (with the job's progress) or `ready` (with the manifest)."""
    await index.follow_disk()
    return status_of(index)


@router.post("/build", status_code=202, response_model=IndexBuildStarted)
async def build_index(
    index: IndexDep, gateway: GatewayDep, payload: IndexBuildRequest | None = None
) -> IndexBuildStarted:
    """Start a background build from `source_dir` (inside the configured roots); poll the status route."""
    source = (payload.source_dir if payload else None) or str(gateway.default_docs_dir)
    try:
        job = index.start_build(Path(source), force=bool(payload and payload.force_rebuild))
    except SourceOutsideRootsError as exc:
        raise OpenAIError(403, str(exc), param="source_dir", code="source_outside_roots") from exc
    except FileNotFoundError as exc:
        raise OpenAIError(400, str(exc), param="source_dir", code="source_not_found") from exc
    except IndexBusyError as exc:
        raise OpenAIError(409, str(exc), code="index_busy") from exc
    return IndexBuildStarted(job=job.public())


@router.delete("", response_model=IndexDeleted)
async def delete_index(index: IndexDep) -> IndexDeleted:
    """Delete the index (every version); `not_found` when there was none."""
    try:
        deleted = await index.delete()
    except IndexBusyError as exc:
        raise OpenAIError(409, str(exc), code="index_busy") from exc
    return IndexDeleted(status="deleted" if deleted else "not_found")
