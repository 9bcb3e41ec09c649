"""OpenAI's model list: `GET /v1/models` and `GET /v1/models/{id}` shapes."""

from typing import Literal

from pydantic import BaseModel


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "sage"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
