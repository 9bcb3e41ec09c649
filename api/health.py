"""Component probes behind `/health` and `/ready`: the model backend, the store and the index.

Both routes are anonymous and polled often, so every probe is constant-time (no scan of sessions) and reports
status words and error class names only: never totals across keys, paths or error texts.
"""

from typing import Any

from graph.resources import Resources
from memory.sessions import SessionRegistry
from memory.storage_faults import StorageHealth


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
    """`failed` (with the error's class) when the last build failed and left no index to serve; None otherwise.

    An index that does not exist yet, or is being built, is not a failure: turns are answered without passages
    meanwhile. The error's text (it may name files) is for `/admin/index/status`, behind the admin key.
    """
    index = resources.models.index
    if index is None or index.loaded is not None or index.job is None or index.job.status != "failed":
        return None
    return {"status": "failed", "error": index.job.error_type}


def model_health(resources: Resources) -> dict[str, Any]:
    models = resources.models
    breaker = models.breaker.state if models.breaker else "closed"
    return {
        "backend": models.backend,
        "model": models.model_name,
        "status": "ready" if breaker != "open" else "failing",
        "circuit_breaker": breaker,
    }


def store_unavailable(error: str) -> dict[str, Any]:
    return {"status": "unavailable", "error": error}


async def store_health(sessions: SessionRegistry, storage: StorageHealth) -> dict[str, Any]:
    """The store's status from one cheap read and the last storage fault: unavailable while the read fails, and
    for a while after any storage fault (a read that succeeds does not clear it: on a full disk reads still work
    while every write fails)."""
    try:
        await sessions.ping()
    except Exception as exc:  # reported as not ready
        storage.observe(exc)
        return store_unavailable(type(exc).__name__)
    fault = storage.recent_fault()
    if fault is not None:
        return {**store_unavailable(fault.error), "fault_seconds_ago": round(fault.seconds_ago, 1)}
    return {"status": "ready"}
