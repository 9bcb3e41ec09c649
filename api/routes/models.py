"""`GET /v1/models`: the models this gateway answers for, in the OpenAI list shape."""

from fastapi import APIRouter

from api.deps import ServedModelsDep
from api.protocols.openai_models import ModelCard, ModelList

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", response_model=ModelList)
async def list_models(served: ServedModelsDep) -> ModelList:
    """The configured backend model and the `sage-default` alias for it."""
    return ModelList(data=[ModelCard(id=model_id, created=served.created) for model_id in served.ids])
