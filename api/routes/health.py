"""`GET /health` (component readiness and session totals) and `GET /` (what this service offers)."""

from typing import Any

from fastapi import APIRouter, Request

from api.deps import ResourcesDep, SessionsDep
from api.errors import OpenAIError
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


@router.get("/health")
async def health(resources: ResourcesDep, sessions: SessionsDep) -> dict[str, Any]:
    """Healthy only when the store answers; reports the model backend and session totals."""
    try:
        records = await sessions.list()
    except Exception as exc:  # a store that cannot answer is the one thing that makes us unhealthy
        raise OpenAIError(503, f"session store unavailable: {type(exc).__name__}", code="store_unavailable") from exc
    return {
        "status": "healthy",
        "components": {
            "model": {"backend": resources.backend, "model": resources.model_name, "status": "ready"},
            "store": {"status": "ready"},
            "index": index_health(resources),
            "memory": {"backend": getattr(resources.memory, "default", getattr(resources.memory, "name", None))},
        },
        "sessions": {"total_sessions": len(records), "total_messages": sum(r.message_count for r in records)},
    }


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
            "sessions": "/sessions",
            "memory": {"config": "/memory/config", "stats": "/memory/stats"},
            "index": {"status": "/admin/index/status", "build": "/admin/index/build", "delete": "/admin/index"},
            "docs": "/docs",
        },
    }
