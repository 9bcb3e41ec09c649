"""`POST /v1/embeddings`: OpenAI's Embeddings API on the embedding model of the index."""

from fastapi import APIRouter

from api.deps import GatewayDep, IndexDep
from api.protocols.openai_embeddings import EmbeddingList, EmbeddingRequest, embeddings_of

router = APIRouter(prefix="/v1", tags=["embeddings"])


@router.post("/embeddings", response_model=EmbeddingList)
async def create_embeddings(body: EmbeddingRequest, gateway: GatewayDep, index: IndexDep) -> EmbeddingList:
    """Embed the texts with the model the index uses (so a client's vectors compare with the index's)."""
    gateway.served.resolve_embedding(body.model)
    counter = getattr(gateway.resources.models.embeddings, "token_counts", None)
    return await embeddings_of(body, index.embedder, counter)
