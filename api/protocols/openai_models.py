"""OpenAI's model list: `GET /v1/models` and `GET /v1/models/{id}` shapes, each card with what the model can do
(extra fields an OpenAI client ignores and a gateway-aware one reads)."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.served_models import ServedModels


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "sage"
    type: Literal["chat", "embedding"] = "chat"
    context_length: int | None = None
    capabilities: dict[str, Any] = Field(default_factory=dict)


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def model_cards(served: ServedModels) -> list[ModelCard]:
    """The chat model (under its name and the alias) and the embedding model, with their capabilities."""
    caps = served.capabilities
    chat = {
        "chat_completions": True,
        "tools": caps.tools,
        "json_schema": caps.json_schema,
        "vision": caps.vision,
        "logprobs": caps.logprobs,
        "max_choices": caps.max_choices,
    }
    cards = [
        ModelCard(id=model_id, created=served.created, context_length=caps.context_tokens, capabilities=chat)
        for model_id in served.ids
    ]
    if served.embedding_model is not None:
        embedding = {"embeddings": True, "dimensions": served.embedding_dim}
        card = ModelCard(
            id=served.embedding_model,
            created=served.created,
            type="embedding",
            context_length=served.embedding_context_tokens,
            capabilities=embedding,
        )
        cards.append(card)
    return cards
