"""OpenAI Embeddings (`POST /v1/embeddings`) on the embedding model the index uses: the request, its checks and the
response, floats or base64 (little-endian float32, as OpenAI encodes them and the `openai` SDK decodes them).

Every field of the SDK's `embedding_create_params` is honoured or refused by name:

- `input`: a text or a list of up to `MAX_INPUTS` texts, each embedded whole. Token ids are refused (the gateway
  cannot know which tokenizer made them, and none of the usual ones is the embedding model's), and so is a text
  longer than the model reads, rather than cut off unseen; `MAX_REQUEST_TOKENS` bounds the whole request (413).
- `model`: the embedding model's own id, as `GET /v1/models` lists it; anything else is OpenAI's 404.
- `encoding_format`: `float` or `base64`; `dimensions`: only the model's own (it cannot shorten its vectors).
- `user`: an end-user id, accepted as OpenAI accepts it; an embedding leaves no record to attach it to.

Unknown fields are refused by name, so a field a newer SDK sends is never dropped on the way.
"""

import asyncio
import base64
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidatorFunctionWrapHandler, field_validator
from pydantic_core import PydanticCustomError

from api.errors import OpenAIError
from ingest.index import VectorEmbedder

MAX_INPUTS = 2048
"""Texts per request, as OpenAI allows."""
MAX_INPUT_CHARS = 100_000
"""Characters per text, checked before tokenizing (the model's own limit, in tokens, is checked after)."""
MAX_REQUEST_TOKENS = 300_000
"""Tokens per request, as OpenAI allows: a bound on the work one request can ask of the CPU."""
INPUT_SHAPES = "must be a string, a list of strings, a list of token ids or a list of lists of token ids"
TOKEN_IDS_REFUSED = (
    "token ids are not accepted: the gateway cannot know which tokenizer made them; send the texts "
    "(LangChain's OpenAIEmbeddings sends token ids unless check_embedding_ctx_length=False)"
)
TokenCounter = Callable[[list[str]], list[tuple[int, bool]]]
"""Each text's token count in the embedding model's tokenizer, and whether the model would cut it off."""


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    input: str | list[str] | list[int] | list[list[int]]
    model: str = Field(min_length=1, max_length=256)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = Field(default=None, max_length=256)

    @field_validator("input", mode="wrap")
    @classmethod
    def _one_input_shape(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """One error naming `input` for a value of none of its shapes (not one per union member)."""
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("input_shape", INPUT_SHAPES) from None


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
            raise _refused("input", TOKEN_IDS_REFUSED, "unsupported_input")
        if not text:
            raise _refused(f"input[{n}]", "is empty")
        if len(text) > MAX_INPUT_CHARS:
            raise _refused(f"input[{n}]", f"is longer than {MAX_INPUT_CHARS} characters")
    return [text for text in texts if isinstance(text, str)]


def token_count(texts: list[str], counter: TokenCounter | None) -> int:
    """The request's tokens in the model's tokenizer (estimated for a model without one here), or the error
    naming the text the model would cut off, or a 413 for more than `MAX_REQUEST_TOKENS`."""
    if counter is None:
        tokens = sum(max(1, len(text) // 4) for text in texts)  # a remote model reports no counts: estimated
    else:
        counts = counter(texts)
        for n, (_count, cut) in enumerate(counts):
            if cut:
                raise _refused(f"input[{n}]", "is longer than the embedding model reads; split it")
        tokens = sum(count for count, _cut in counts)
    if tokens > MAX_REQUEST_TOKENS:
        message = f"input: {tokens} tokens, more than the {MAX_REQUEST_TOKENS} a request may hold; send fewer texts"
        raise OpenAIError(413, message, param="input", code="input_too_large")
    return tokens


def _encoded(vector: np.ndarray, encoding: str) -> list[float] | str:
    if encoding == "base64":
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    return [float(x) for x in vector]


async def embeddings_of(
    request: EmbeddingRequest, embedder: VectorEmbedder, counter: TokenCounter | None
) -> EmbeddingList:
    """Count and embed the request's texts off the event loop (counted first: a refused text costs no inference)
    and shape the OpenAI response."""
    texts = texts_of(request, embedder.dim)

    def count_and_embed() -> tuple[int, np.ndarray]:
        return token_count(texts, counter), embedder.embed(texts)

    tokens, vectors = await asyncio.to_thread(count_and_embed)  # one hop off the loop for both steps
    data = [Embedding(index=n, embedding=_encoded(v, request.encoding_format)) for n, v in enumerate(vectors)]
    usage = EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens)
    return EmbeddingList(data=data, model=embedder.name, usage=usage)
