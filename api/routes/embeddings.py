"""`POST /v1/embeddings`: OpenAI's Embeddings API on the embedding model of the index."""

from fastapi import APIRouter

from api.auth import ClientDep
from api.deps import GatewayDep, IndexDep
from api.protocols.openai_embeddings import EmbeddingList, EmbeddingRequest, embeddings_of

router = APIRouter(prefix="/v1", tags=["embeddings"])


@router.post("/embeddings", response_model=EmbeddingList)
async def create_embeddings(
    body: EmbeddingRequest, gateway: GatewayDep, index: IndexDep, _caller: ClientDep
) -> EmbeddingList:
    """Embed the texts with the model the index uses (so a client's vectors compare with the index's); the token
    counts come from that model's own tokenizer."""
    gateway.served.resolve_embedding(body.model)
    counter = getattr(index.embeddings, "token_counts", None)
    return await embeddings_of(body, index.embedder, counter)
