"""`GET /health` (liveness), `GET /ready` (readiness), `GET /metrics` (Prometheus) and `GET /` (the map)."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import AdminDep
from api.deps import ResourcesDep, SessionsDep
from graph.resources import Resources

router = APIRouter(tags=["health"])

SERVICE_NAME = "SAGE LLM Gateway"


def index_health(resources: Resources) -> dict[str, Any]:
    index = resources.index
    if index is None:
        return {"status": "not_configured"}
    if index.building:
        return {"status": "building"}
    if index.loaded is None:
        return {"status": "not_found"}
    return {"status": "ready", "num_chunks": index.loaded.manifest["num_chunks"]}


def model_health(resources: Resources) -> dict[str, Any]:
    breaker = resources.breaker.state if resources.breaker else "closed"
    return {
        "backend": resources.backend,
        "model": resources.model_name,
        "status": "ready" if breaker != "open" else "failing",
        "circuit_breaker": breaker,
    }


def store_unavailable(exc: Exception) -> dict[str, Any]:
    return {"status": "unavailable", "error": type(exc).__name__}


async def store_health(sessions: SessionsDep) -> tuple[dict[str, Any], dict[str, int] | None]:
    """The store's status and the session totals (which read every registry record: for /health only)."""
    try:
        records = await sessions.list()
    except Exception as exc:  # a store that cannot answer: reported, not raised
        return store_unavailable(exc), None
    totals = {"total_sessions": len(records), "total_messages": sum(r.message_count for r in records)}
    return {"status": "ready"}, totals


@router.get("/health")
async def health(resources: ResourcesDep, sessions: SessionsDep) -> dict[str, Any]:
    """Liveness: 200 while the process serves; reports each component and the session totals."""
    store, totals = await store_health(sessions)
    return {
        "status": "healthy",
        "components": {
            "model": model_health(resources),
            "store": store,
            "index": index_health(resources),
            "memory": {"backend": getattr(resources.memory, "default", getattr(resources.memory, "name", None))},
        },
        "sessions": totals,
    }


@router.get("/ready")
async def ready(resources: ResourcesDep, sessions: SessionsDep) -> JSONResponse:
    """Readiness: 200 when the store answers, the model's breaker is not open and the index is usable; 503 (with
    the failing components) otherwise, so a balancer skips this process.

    An index that does not exist yet, or is being built, does not make the gateway unready: turns are answered
    without passages meanwhile. A last build that failed with no index left to serve does.
    """
    try:
        await sessions.ping()
        store = {"status": "ready"}
    except Exception as exc:  # reported as not ready
        store = store_unavailable(exc)
    components = {"model": model_health(resources), "store": store, "index": index_health(resources)}
    index = resources.index
    index_ok = index is None or index.loaded is not None or index.job is None or index.job.status != "failed"
    if not index_ok:
        components["index"] = {"status": "failed", "error": index.job.error if index and index.job else None}
    ok = store["status"] == "ready" and components["model"]["status"] == "ready" and index_ok
    return JSONResponse({"status": "ready" if ok else "not_ready", "components": components}, 200 if ok else 503)


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, _admin: AdminDep) -> Response:
    """Prometheus exposition of this process's metrics (needs the admin key when keys are configured)."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/")
async def root(request: Request) -> dict[str, Any]:
    """Service name, version and the endpoint map."""
    return {
        "service": SERVICE_NAME,
        "version": request.app.version,
        "endpoints": {
            "chat": "/v1/chat/completions",
            "models": "/v1/models",
            "workflows": "/v1/workflows/generate",
            "health": "/health",
            "ready": "/ready",
            "metrics": "/metrics",
            "sessions": "/sessions",
            "memory": {"config": "/memory/config", "stats": "/memory/stats"},
            "index": {"status": "/admin/index/status", "build": "/admin/index/build", "delete": "/admin/index"},
            "ui": "/ui/",
            "docs": "/docs",
        },
    }
