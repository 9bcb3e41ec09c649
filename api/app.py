"""The app factory: everything live is built in the lifespan from the `Settings` passed in."""

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from langgraph.store.base import BaseStore

from api.auth import KeyRing, require_admin
from api.errors import install_error_handlers
from api.limits import BodySizeLimitMiddleware, RateLimiter, enforce_rate_limit
from api.metrics import GatewayMetrics, MetricsMiddleware
from api.routes import admin_index, chat, health, memory, models, sessions, workflows
from api.routes.ui import mount_ui
from api.turns import TurnRunner
from config.settings import Settings
from graph.builder import build_graph
from graph.resources import Resources, open_resources
from memory.backends import SessionMemory, build_backends
from memory.checkpointer import open_checkpointer
from memory.locks import open_session_locks
from memory.sessions import SESSIONS_NAMESPACE, SessionRegistry
from memory.store import open_store

logger = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("sage-llm-gateway")
    except PackageNotFoundError:
        return "0.0.0"


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def session_memory(settings: Settings, store: BaseStore, resources: Resources) -> SessionMemory:
    """All backends on the app's store; each session uses the one it picked, or the operator's default."""
    backends = build_backends(
        store,
        resources.embeddings,
        graph_extractor=resources.chat_model if settings.graph_extractor == "llm" else None,
        window_turns=settings.memory_window,
        max_tokens=settings.memory_max_tokens,
        top_k=settings.memory_top_k,
    )

    async def choice(session_id: str) -> str | None:
        item = await store.aget(SESSIONS_NAMESPACE, session_id)
        return item.value.get("memory_backend") if item else None

    return SessionMemory(backends, settings.memory_backend, choice)


def start_default_index(settings: Settings, resources: Resources) -> None:
    """Index the default corpus in the background on first start, so questions about the gateway work offline."""
    index = resources.index
    if not settings.auto_index or index is None or index.loaded is not None or not settings.default_docs_dir.is_dir():
        return
    try:
        index.start_build(settings.default_docs_dir)
    except Exception:
        logger.warning("default corpus %s not indexed", settings.default_docs_dir, exc_info=True)


def create_app(settings: Settings, *, resources: Resources | None = None) -> FastAPI:
    """Build the gateway. `resources` lets tests inject fakes; otherwise they come from `settings`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            live = resources or await stack.enter_async_context(open_resources(settings))
            checkpointer = await stack.enter_async_context(open_checkpointer(settings.storage()))
            store = await stack.enter_async_context(open_store(settings.storage()))
            if live.memory is None:
                live.memory = session_memory(settings, store, live)
            graph = build_graph(live).compile(checkpointer=checkpointer, store=store, name="sage-gateway")
            app.state.settings = settings
            app.state.resources = live
            app.state.graph = graph
            locks = await stack.enter_async_context(open_session_locks(settings.storage()))
            app.state.runner = TurnRunner(graph, locks, metrics=app.state.metrics)
            watch(app.state.metrics, live)
            app.state.sessions = SessionRegistry(store, checkpointer, live.memory)
            start_default_index(settings, live)
            logger.info(
                "gateway ready: model=%s backend=%s sessions=%s",
                live.model_name,
                live.backend,
                settings.resolved_session_backend(),
            )
            if not settings.keys_configured:
                logger.warning("no API key configured (SAGE_GATEWAY_API_KEY): anyone who can reach this port gets in")
            yield

    app = FastAPI(
        title="SAGE LLM Gateway",
        version=_version(),
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.keys = KeyRing(settings.api_keys, settings.admin_keys)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.metrics = GatewayMetrics()
    install_error_handlers(app)
    for module in (chat, models, workflows, sessions, memory):
        app.include_router(module.router, dependencies=[Depends(enforce_rate_limit)])
    app.include_router(admin_index.router, dependencies=[Depends(require_admin)])
    app.include_router(health.router)
    mount_ui(app)
    # Outermost last: the request id wraps everything, CORS headers reach even refusals, then metrics and limits.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Session-Id", "X-Request-Id"],
        expose_headers=["X-Session-Id", "X-Request-Id", "Retry-After"],
    )
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-Id")
    return app


def watch(metrics: GatewayMetrics, resources: Resources) -> None:
    """Gauges read at scrape time: the live index's size and the chat backend breaker's state."""
    index = resources.index
    if index is not None:
        metrics.watch_index(lambda: index.loaded.manifest["num_chunks"] if index.loaded else 0)
    breaker = resources.breaker
    if breaker is not None:
        metrics.watch_breaker(lambda: breaker.state)


def create_app_from_env() -> FastAPI:
    """App factory for uvicorn's worker processes: each reads the same environment the CLI was started with."""
    return create_app(Settings())
