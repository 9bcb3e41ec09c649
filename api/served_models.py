"""The models this gateway answers for: the backend's model, and the `sage-default` alias for it."""

from dataclasses import dataclass, field

from api.errors import OpenAIError
from config.sections import ModelCapabilities

DEFAULT_MODEL_ALIAS = "sage-default"


@dataclass(frozen=True)
class ServedModels:
    """The configured backend model, under its own name and the alias; `created` is when it appeared."""

    model_name: str
    created: int
    capabilities: ModelCapabilities = field(default_factory=ModelCapabilities)
    """What the model can do (declared by the operator): requests needing more are refused, `/v1/models` lists it."""

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.model_name, DEFAULT_MODEL_ALIAS)

    def resolve(self, requested: str) -> str:
        """The backend model answering `requested`, or a 404 naming the route that lists the served models."""
        if requested not in self.ids:
            raise OpenAIError(
                404,
                f"model '{requested}' is not served here; see GET /v1/models",
                param="model",
                code="model_not_found",
            )
        return self.model_name
