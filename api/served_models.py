"""The models this gateway answers for: the backend's chat model, the `sage-default` alias for it, and the
embedding model of its index."""

from dataclasses import dataclass, field

from api.errors import OpenAIError
from config.sections import ModelCapabilities
from ingest.service import IndexService

DEFAULT_MODEL_ALIAS = "sage-default"


def model_not_found(requested: str) -> OpenAIError:
    """OpenAI's 404 for a model it does not serve (typed `invalid_request_error`, as OpenAI types it)."""
    message = f"model '{requested}' is not served here; see GET /v1/models"
    return OpenAIError(404, message, param="model", code="model_not_found", error_type="invalid_request_error")


@dataclass(frozen=True)
class ServedModels:
    """The configured backend model, under its own name and the alias; `created` is when it appeared."""

    model_name: str
    created: int
    capabilities: ModelCapabilities = field(default_factory=ModelCapabilities)
    """What the model can do (declared by the operator): requests needing more are refused, `/v1/models` lists it."""
    embedding_model: str | None = None
    """The index's embedding model (served by `/v1/embeddings`), if the gateway has one."""
    embedding_dim: int = 0
    embedding_context_tokens: int | None = None
    """The longest text the embedding model reads, in its tokens, when it says (a remote model does not)."""

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.model_name, DEFAULT_MODEL_ALIAS)

    def resolve(self, requested: str) -> str:
        """The backend model answering `requested`, or a 404 naming the route that lists the served models."""
        if requested not in self.ids:
            raise model_not_found(requested)
        return self.model_name

    def resolve_embedding(self, requested: str) -> str:
        """The embedding model `requested` names, or the same 404."""
        if self.embedding_model is None or requested != self.embedding_model:
            raise model_not_found(requested)
        return self.embedding_model


def served_models(
    model_name: str, created: int, capabilities: ModelCapabilities, index: IndexService | None
) -> ServedModels:
    """The chat model under its ids, and the embedding model of `index` (if any) under its own name."""
    if index is None:
        return ServedModels(model_name, created, capabilities)
    return ServedModels(
        model_name,
        created,
        capabilities,
        embedding_model=index.embedder.name,
        embedding_dim=index.embedder.dim,
        embedding_context_tokens=getattr(index.embeddings, "max_tokens", None),
    )
