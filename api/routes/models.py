"""`GET /v1/models`: the models this gateway answers for, in the OpenAI list shape."""

from fastapi import APIRouter

from api.deps import ResourcesDep
from api.openai_schema import ModelCard, ModelList
from api.routes.chat import DEFAULT_MODEL_ALIAS

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", response_model=ModelList)
async def list_models(resources: ResourcesDep) -> ModelList:
    """The configured backend model and the `sage-default` alias for it."""
    created = resources.created_at
    return ModelList(
        data=[ModelCard(id=resources.model_name, created=created), ModelCard(id=DEFAULT_MODEL_ALIAS, created=created)]
    )
