"""OpenAI Embeddings (`POST /v1/embeddings`) on the embedding model the index uses: the request, its checks and the
response, floats or base64 (little-endian float32, as OpenAI encodes them and the `openai` SDK decodes them).

Every field is honoured or refused by name: token-id inputs are refused (the gateway cannot know which tokenizer
they were made for), `dimensions` other than the model's own are refused (this model cannot shorten its vectors),
and a text longer than the model reads is refused rather than cut off unseen.
"""

import asyncio
import base64
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from api.errors import OpenAIError
from ingest.index import VectorEmbedder

MAX_INPUTS = 2048
MAX_INPUT_CHARS = 100_000
TokenCounter = Callable[[list[str]], list[tuple[int, bool]]]


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    input: str | list[str] | list[int] | list[list[int]]
    model: str = Field(min_length=1, max_length=256)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = Field(default=None, max_length=256)


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


def _refused(param: str, message: str, code: str = "invalid_parameter") -> OpenAIError:
    return OpenAIError(400, f"{param}: {message}", param=param, code=code)


def texts_of(request: EmbeddingRequest, dim: int) -> list[str]:
    """The request's texts, or a 400 naming what cannot be honoured."""
    for name in request.model_extra or {}:
        raise _refused(name, "not an Embeddings parameter", "unknown_parameter")
    if request.dimensions is not None and request.dimensions != dim:
        raise _refused("dimensions", f"this model's vectors have {dim} dimensions and cannot be shortened")
    texts = [request.input] if isinstance(request.input, str) else request.input
    if not texts:
        raise _refused("input", "needs at least one text")
    if len(texts) > MAX_INPUTS:
        raise _refused("input", f"at most {MAX_INPUTS} texts per request")
    for n, text in enumerate(texts):
        if not isinstance(text, str):
            raise _refused("input", "token ids are not accepted: send the text (the tokenizer is the gateway's)")
        if not text:
            raise _refused(f"input[{n}]", "is empty")
        if len(text) > MAX_INPUT_CHARS:
            raise _refused(f"input[{n}]", f"is longer than {MAX_INPUT_CHARS} characters")
    return [text for text in texts if isinstance(text, str)]


def _tokens(texts: list[str], counter: TokenCounter | None) -> int:
    if counter is None:
        return sum(max(1, len(text) // 4) for text in texts)  # a remote model reports no counts: estimated
    counts = counter(texts)
    for n, (_count, cut) in enumerate(counts):
        if cut:
            raise _refused(f"input[{n}]", "is longer than the embedding model reads; split it")
    return sum(count for count, _cut in counts)


def _encoded(vector: np.ndarray, encoding: str) -> list[float] | str:
    if encoding == "base64":
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    return [float(x) for x in vector]


async def embeddings_of(
    request: EmbeddingRequest, embedder: VectorEmbedder, counter: TokenCounter | None
) -> EmbeddingList:
    """Embed the request's texts off the event loop and shape the OpenAI response."""
    texts = texts_of(request, embedder.dim)
    tokens = await asyncio.to_thread(_tokens, texts, counter)
    vectors = await asyncio.to_thread(embedder.embed, texts)
    data = [Embedding(index=n, embedding=_encoded(v, request.encoding_format)) for n, v in enumerate(vectors)]
    usage: dict[str, Any] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return EmbeddingList(data=data, model=embedder.name, usage=EmbeddingUsage(**usage))
