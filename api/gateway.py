"""What the lifespan builds for the routes, kept on `app.state.gateway` as one typed object."""

from dataclasses import dataclass
from pathlib import Path

from api.metrics import GatewayMetrics
from api.responses import ResponsesService
from api.served_models import ServedModels
from api.turns import TurnRunner
from config.sections import MemoryConfig
from graph.resources import Resources
from memory.sessions import SessionRegistry
from memory.storage_faults import StorageHealth


@dataclass(frozen=True, kw_only=True)
class Gateway:
    """The live parts of a running gateway and the few settings its routes apply (routes never read `Settings`)."""

    resources: Resources
    sessions: SessionRegistry
    storage_health: StorageHealth
    """The last storage fault the checkpointer and store met (readiness turns red for a while after one)."""
    runner: TurnRunner
    responses: ResponsesService
    """The Responses API over the runner: responses and conversations on sessions."""
    served: ServedModels
    metrics: GatewayMetrics
    memory: MemoryConfig
    max_tokens_cap: int
    """Upper bound on a request's `max_tokens` (`SAGE_CHAT_MAX_TOKENS_CAP`)."""
    default_docs_dir: Path
    """The corpus an index build uses when the request names none (`SAGE_GATEWAY_DEFAULT_DOCS`)."""
