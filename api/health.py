"""Component probes behind `/health` and `/ready`: the model backend, the store and the index."""

from typing import Any

from api.schemas.sessions import SessionStats
from graph.resources import Resources
from memory.sessions import SessionRegistry


def index_health(resources: Resources) -> dict[str, Any]:
    index = resources.models.index
    if index is None:
        return {"status": "not_configured"}
    if index.building:
        return {"status": "building"}
    if index.loaded is None:
        return {"status": "not_found"}
    return {"status": "ready", "num_chunks": index.loaded.manifest["num_chunks"]}


def index_failed(resources: Resources) -> dict[str, Any] | None:
    """The failed build's report when the last build failed and left no index to serve; None otherwise.

    An index that does not exist yet, or is being built, is not a failure: turns are answered without passages
    meanwhile.
    """
    index = resources.models.index
    if index is None or index.loaded is not None or index.job is None or index.job.status != "failed":
        return None
    return {"status": "failed", "error": index.job.error}


def model_health(resources: Resources) -> dict[str, Any]:
    models = resources.models
    breaker = models.breaker.state if models.breaker else "closed"
    return {
        "backend": models.backend,
        "model": models.model_name,
        "status": "ready" if breaker != "open" else "failing",
        "circuit_breaker": breaker,
    }


def store_unavailable(exc: Exception) -> dict[str, Any]:
    return {"status": "unavailable", "error": type(exc).__name__}


async def store_health(sessions: SessionRegistry) -> tuple[dict[str, Any], SessionStats | None]:
    """The store's status and the session totals (which read every registry record: for /health only)."""
    try:
        records = await sessions.list()
    except Exception as exc:  # a store that cannot answer: reported, not raised
        return store_unavailable(exc), None
    return {"status": "ready"}, SessionStats.of(records)


async def store_ready(sessions: SessionRegistry) -> dict[str, Any]:
    """The store's status from one cheap read (readiness probes come often)."""
    try:
        await sessions.ping()
    except Exception as exc:  # reported as not ready
        return store_unavailable(exc)
    return {"status": "ready"}
