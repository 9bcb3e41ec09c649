"""`GET /v1/models` and `GET /v1/models/{id}`: the models this gateway answers for, in OpenAI's shapes."""

from fastapi import APIRouter

from api.auth import ClientDep
from api.deps import ServedModelsDep
from api.protocols.openai_models import ModelCard, ModelList, model_cards
from api.served_models import model_not_found

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", response_model=ModelList)
async def list_models(served: ServedModelsDep, _caller: ClientDep) -> ModelList:
    """The configured backend model, the `sage-default` alias for it, and the embedding model."""
    return ModelList(data=model_cards(served))


@router.get("/models/{model_id:path}", response_model=ModelCard)
async def retrieve_model(model_id: str, served: ServedModelsDep, _caller: ClientDep) -> ModelCard:
    """One served model's card, or OpenAI's 404 naming `model`."""
    card = next((card for card in model_cards(served) if card.id == model_id), None)
    if card is None:
        raise model_not_found(model_id)
    return card
