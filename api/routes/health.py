"""`GET /health` (liveness), `GET /ready` (readiness), `GET /metrics` (Prometheus) and `GET /` (the map)."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import AdminDep
from api.deps import GatewayDep
from api.health import index_failed, index_health, model_health, store_health
from api.schemas.health import HealthStatus, ReadyStatus, ServiceMap

router = APIRouter(tags=["health"])

SERVICE_NAME = "SAGE LLM Gateway"
ENDPOINTS = {
    "chat": "/v1/chat/completions",
    "messages": {"create": "/v1/messages", "count_tokens": "/v1/messages/count_tokens"},
    "responses": "/v1/responses",
    "conversations": "/v1/conversations",
    "models": "/v1/models",
    "model": "/v1/models/{model_id}",
    "embeddings": "/v1/embeddings",
    "workflows": "/v1/workflows/generate",
    "health": "/health",
    "ready": "/ready",
    "metrics": "/metrics",
    "sessions": "/sessions",
    "memory": {"config": "/memory/config", "stats": "/memory/stats"},
    "index": {"status": "/admin/index/status", "build": "/admin/index/build", "delete": "/admin/index"},
    "ui": "/ui/",
    "docs": "/docs",
}


@router.get("/health", response_model=HealthStatus)
async def health(gateway: GatewayDep) -> HealthStatus:
    """Liveness: 200 while the process serves; reports each component (constant-time: no session is read)."""
    resources = gateway.resources
    components = {
        "model": model_health(resources),
        "store": await store_health(gateway.sessions, gateway.storage_health),
        "index": index_health(resources),
        "memory": {"backend": gateway.memory.default_backend},
    }
    return HealthStatus(components=components)


@router.get("/ready", response_model=ReadyStatus)
async def ready(gateway: GatewayDep, response: Response) -> ReadyStatus:
    """Readiness: 200 when the store answers and met no storage fault lately, the model's breaker is not open and
    the index is usable; 503 (with the failing components) otherwise, so a balancer skips this process."""
    resources = gateway.resources
    failed = index_failed(resources)
    components = {
        "model": model_health(resources),
        "store": await store_health(gateway.sessions, gateway.storage_health),
        "index": failed or index_health(resources),
    }
    ok = all(components[name]["status"] == "ready" for name in ("model", "store")) and failed is None
    response.status_code = 200 if ok else 503
    return ReadyStatus(status="ready" if ok else "not_ready", components=components)


@router.get("/metrics", response_class=Response)
async def metrics(gateway: GatewayDep, _admin: AdminDep) -> Response:
    """Prometheus exposition of this process's metrics (needs the admin key when keys are configured)."""
    return Response(generate_latest(gateway.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/", response_model=ServiceMap)
async def root(request: Request) -> ServiceMap:
    """Service name, version and the endpoint map."""
    return ServiceMap(service=SERVICE_NAME, version=request.app.version, endpoints=ENDPOINTS)
