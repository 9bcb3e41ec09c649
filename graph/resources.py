"""Live handles the nodes need, built once per process from settings and bound into the graph."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from config.settings import Settings
from ingest.embeddings import local_embeddings
from ingest.index import BuildParams
from ingest.service import IndexService, vector_embedder
from memory.backends.base import MemoryBackend
from memory.backends.short_term import ShortTermMemory
from nodes.circuit_breaker import CircuitBreaker
from nodes.intent_rules import IntentRules
from nodes.local_model import LocalModelServer, assemble_packaged_model, start_local_server, verified_model_path
from nodes.models import NO_KEY, openai_compatible_chat_model
from nodes.workflow_schema import Catalogue, load_catalogue

logger = logging.getLogger(__name__)


@dataclass
class Resources:
    """What the nodes call: the chat model (and later embeddings and the index), and the memory backend."""

    chat_model: BaseChatModel
    model_name: str
    memory: MemoryBackend | None
    """None until the app's lifespan builds the backends on its store (see `api.app`)."""
    backend: str
    index: IndexService | None = None
    min_score: float = 0.2
    intent_rules: IntentRules = field(default_factory=IntentRules.load)
    intent_classifier: BaseChatModel | None = None
    embeddings: Embeddings | None = None
    embedding_dims: int | None = None
    catalogue: Catalogue = field(default_factory=load_catalogue)
    breaker: CircuitBreaker | None = None
    """Shared by every turn of this process; None runs without one (tests of other behaviour)."""
    created_at: int = field(default_factory=lambda: int(time.time()))


def short_term_memory(settings: Settings) -> MemoryBackend:
    """The window-only backend, for graphs run without the gateway's store (`langgraph dev`)."""
    return ShortTermMemory(window_turns=settings.memory_window, max_tokens=settings.memory_max_tokens)


def build_params(settings: Settings) -> BuildParams:
    return BuildParams(
        settings.index_name,
        settings.chunk_size,
        settings.chunk_overlap,
        settings.hnsw_threshold,
        settings.max_file_bytes,
    )


async def open_index(settings: Settings) -> IndexService:
    """The embedding model (packaged ONNX, or a remote OpenAI-compatible endpoint) and the index on disk."""
    if settings.embedding_base_url:
        from langchain_openai import OpenAIEmbeddings

        model = settings.embedding_model or "text-embedding-3-small"
        remote = OpenAIEmbeddings(
            base_url=settings.embedding_base_url, model=model, api_key=settings.embedding_api_key or SecretStr(NO_KEY)
        )
        dim = len(await remote.aembed_query("dimension probe"))
        embeddings, embedder = remote, vector_embedder(remote, model, dim)
    else:
        packaged = await asyncio.to_thread(local_embeddings, settings.embedding_model)
        embeddings, embedder = packaged, vector_embedder(packaged, packaged.name, packaged.dim)
    service = IndexService(
        settings.data_dir / "index", embeddings, embedder, build_params(settings), settings.docs_roots
    )
    await service.load()
    return service


@dataclass
class Endpoint:
    """Where the chat model is served: an OpenAI-compatible base URL, the model name there, and the backend kind."""

    base_url: str
    model_name: str
    backend: str


async def open_endpoint(settings: Settings) -> tuple[Endpoint, LocalModelServer | None]:
    """The configured backend's endpoint; for the embedded model, also its started server, which the caller
    keeps alive and closes."""
    if settings.resolved_chat_backend() == "openai":
        if not settings.chat_base_url:
            raise ValueError("SAGE_CHAT_BACKEND=openai needs SAGE_CHAT_BASE_URL")
        return Endpoint(settings.chat_base_url, settings.chat_model or "default", "openai"), None
    server = await start_embedded_model(settings)
    return Endpoint(server.base_url, server.model_name, "local"), server


async def start_embedded_model(settings: Settings) -> LocalModelServer:
    """Verify (or assemble) the pinned GGUF and start its llama.cpp server on loopback."""
    if settings.local_model_path is not None:
        if not settings.local_model_sha256:
            raise ValueError("SAGE_LOCAL_MODEL_PATH needs SAGE_LOCAL_MODEL_SHA256 to pin the file")
        model_path = await asyncio.to_thread(
            verified_model_path, settings.local_model_path, settings.local_model_sha256
        )
    else:
        model_path = await asyncio.to_thread(assemble_packaged_model, settings.data_dir / "models")
    return await asyncio.to_thread(
        start_local_server,
        model_path,
        context_tokens=settings.local_context_tokens,
        threads=settings.local_threads,
        parallel=settings.local_parallel,
    )


def load_intent_rules(settings: Settings) -> IntentRules:
    """The operator's rule table, or the packaged one."""
    return IntentRules.load(settings.intent_rules_path) if settings.intent_rules_path else IntentRules.load()


def assemble_resources(
    settings: Settings, index: IndexService, endpoint: Endpoint, intent_rules: IntentRules
) -> Resources:
    """Resources around already opened heavy handles. The chat client is made here, so each caller (and each
    event loop) gets its own; it is cheap, unlike the index or the embedded server."""
    chat_model = openai_compatible_chat_model(
        base_url=endpoint.base_url,
        model=endpoint.model_name,
        api_key=settings.chat_api_key,
        timeout_seconds=settings.chat_timeout_seconds,
        connect_timeout_seconds=settings.chat_connect_timeout_seconds,
        max_retries=settings.chat_max_retries,
    )
    return Resources(
        chat_model,
        endpoint.model_name,
        memory=None,
        backend=endpoint.backend,
        index=index,
        min_score=settings.min_score,
        intent_rules=intent_rules,
        intent_classifier=chat_model if settings.intent_classifier == "llm" else None,
        embeddings=index.embeddings,
        embedding_dims=index.embedder.dim,
        breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_reset_seconds),
    )


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """The index and the chat model for the configured backend; the embedded server lives exactly as long as this."""
    index = await open_index(settings)
    rules = load_intent_rules(settings)
    endpoint, server = await open_endpoint(settings)
    try:
        yield assemble_resources(settings, index, endpoint, rules)
    finally:
        if server is not None:
            await asyncio.to_thread(server.close)
