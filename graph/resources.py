"""What the turn graph's nodes call, built once per process from `Settings`.

Two steps, because their lifetimes differ. `open_models` opens the heavy, model-side handles (the embedding model
with the index on disk, the chat backend: for the embedded model, its llama.cpp server) and closes them on exit;
tests pass fakes instead. `build_resources` then assembles the frozen `Resources` the graph binds, around those
handles and a memory backend, reading the rest (rules, catalogue, knobs) from the settings.
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langgraph.store.base import BaseStore

from config.sections import RetrievalConfig
from config.settings import Settings
from ingest.service import IndexService, open_index
from llm.breaker import CircuitBreaker
from llm.chat import close_chat_model, openai_compatible_chat_model
from llm.embeddings import open_embedding_model
from llm.endpoint import Endpoint, serving_endpoint
from memory.backends import MemoryBackend, SessionMemory, build_backends
from memory.backends.short_term import ShortTermMemory
from memory.background import BackgroundWork
from memory.scopes import ScopePolicy
from memory.sessions import session_memory_choice
from turn.intent_rules import IntentRules, load_intent_rules
from workflows.catalogue import load_catalogue
from workflows.generator import WorkflowDesigner


@dataclass(frozen=True, kw_only=True)
class ModelHandles:
    """The process's model-side handles: the chat model (with its name, backend kind and circuit breaker), the
    index and the embedding model it was built with."""

    chat_model: BaseChatModel
    model_name: str
    backend: str
    breaker: CircuitBreaker | None = None
    """Shared by every turn of this process; None runs without one (tests of other behaviour)."""
    index: IndexService | None = None
    embeddings: Embeddings | None = None
    """For the `vdb` memory backend (the index's model, so memory and retrieval embed alike)."""


@dataclass(frozen=True, kw_only=True)
class Resources:
    """Everything the nodes are bound to, built whole by `build_resources` (tests may build one directly)."""

    models: ModelHandles
    memory: MemoryBackend
    intent_rules: IntentRules
    intent_classifier: BaseChatModel | None
    """The optional LLM intent classifier (`SAGE_INTENT_CLASSIFIER=llm`): the chat model, or None."""
    workflow_designer: WorkflowDesigner
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    created_at: int = field(default_factory=lambda: int(time.time()))
    """When the served model appeared (the `created` of `GET /v1/models`)."""


def chat_model_on(settings: Settings, endpoint: Endpoint) -> BaseChatModel:
    """A chat client for `endpoint`. Cheap, unlike the endpoint itself: each caller (each event loop) makes its own."""
    chat = settings.chat_endpoint()
    return openai_compatible_chat_model(
        base_url=endpoint.base_url,
        model=endpoint.model_name,
        api_key=chat.api_key,
        timeout_seconds=chat.timeout_seconds,
        connect_timeout_seconds=chat.connect_timeout_seconds,
        max_retries=chat.max_retries,
        narrows_named_tool_choice=endpoint.backend == "local",
    )


def models_on(settings: Settings, endpoint: Endpoint, index: IndexService) -> ModelHandles:
    """Model handles around an opened endpoint and index: a new chat client and a new circuit breaker."""
    breaker = settings.breaker()
    return ModelHandles(
        chat_model=chat_model_on(settings, endpoint),
        model_name=endpoint.model_name,
        backend=endpoint.backend,
        breaker=CircuitBreaker(breaker.failures, breaker.reset_seconds),
        index=index,
        embeddings=index.embeddings,
    )


@asynccontextmanager
async def open_index_and_endpoint(settings: Settings) -> AsyncIterator[tuple[IndexService, Endpoint]]:
    """The index on the configured embedding model, and the configured chat backend's endpoint; the embedded
    model's server runs exactly as long as this block."""
    index = await open_index(settings.index(), await open_embedding_model(settings.embedding()))
    async with serving_endpoint(settings.chat_endpoint(), settings.local_model()) as endpoint:
        yield index, endpoint


@asynccontextmanager
async def open_models(settings: Settings) -> AsyncIterator[ModelHandles]:
    """The configured model handles, for as long as this block runs."""
    async with open_index_and_endpoint(settings) as (index, endpoint):
        handles = models_on(settings, endpoint, index)
        try:
            yield handles
        finally:
            await close_chat_model(handles.chat_model)


def session_memory(settings: Settings, store: BaseStore, models: ModelHandles) -> SessionMemory:
    """Every memory backend on the app's store; each session uses the one it picked, or the operator's default."""
    config = settings.memory()
    background = BackgroundWork()
    backends = build_backends(
        store,
        models.embeddings,
        window_turns=config.window_turns,
        max_tokens=config.max_tokens,
        top_k=config.top_k,
        policy=ScopePolicy(read=config.read_scopes, write=config.write_scopes),
        extractor=models.chat_model if config.extractor == "llm" else None,
        summarizer=models.chat_model if config.summaries else None,
        background=background,
    )
    return SessionMemory(backends, config.default_backend, session_memory_choice(store), background=background)


def window_memory(settings: Settings) -> ShortTermMemory:
    """The window-only backend, for graphs run without the gateway's store (`langgraph dev`)."""
    config = settings.memory()
    return ShortTermMemory(window_turns=config.window_turns, max_tokens=config.max_tokens)


def build_resources(settings: Settings, models: ModelHandles, memory: MemoryBackend) -> Resources:
    """The frozen `Resources` around opened model handles and a memory backend."""
    return Resources(
        models=models,
        memory=memory,
        intent_rules=load_intent_rules(settings.intent_rules_path),
        intent_classifier=models.chat_model if settings.intent_classifier == "llm" else None,
        workflow_designer=WorkflowDesigner(models.chat_model, load_catalogue(), models.breaker),
        retrieval=settings.retrieval(),
    )
