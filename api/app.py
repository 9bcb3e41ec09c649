"""The app factory: a composition root. Everything live is built in the lifespan from the `Settings` passed in."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from api.auth import KeyRing, require_admin
from api.errors import install_error_handlers
from api.gateway import Gateway
from api.limits import (
    AnonymousRateLimitMiddleware,
    BodySizeLimitMiddleware,
    BodyTimeoutMiddleware,
    enforce_rate_limit,
)
from api.metrics import GatewayMetrics, MetricsMiddleware
from api.responses import ResponsesService
from api.routes import (
    admin_index,
    chat,
    conversations,
    embeddings,
    health,
    memory,
    messages,
    responses,
    sessions,
    workflows,
)
from api.routes import models as model_list
from api.routes.ui import mount_ui
from api.served_models import served_models
from api.string_hygiene import StringHygieneMiddleware
from api.token_bucket import RateLimiter
from api.turns import TurnRunner
from config.settings import Settings
from graph.foundation import Foundation, open_foundation
from graph.resources import ModelHandles, Resources
from ingest.service import IndexBusyError
from memory.checkpointer import open_checkpointer
from memory.responses import ResponseStore
from memory.store import open_store

logger = logging.getLogger(__name__)

KEYED_PREFIXES = ("/v1", "/sessions", "/memory", "/admin", "/metrics")
"""The paths that need a key when keys are configured; everything else is open to anyone (and limited per address)."""


def _version() -> str:
    try:
        return version("sage-llm-gateway")
    except PackageNotFoundError:
        return "0.0.0"


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def start_default_index(settings: Settings, resources: Resources) -> None:
    """Index the default corpus in the background on first start, so questions about the gateway work offline."""
    index = resources.models.index
    if not settings.auto_index or index is None or index.loaded is not None or not settings.default_docs_dir.is_dir():
        return
    try:
        index.start_build(settings.default_docs_dir)
    except IndexBusyError:  # another worker builds it; its version is followed from disk once live
        logger.info("default corpus %s is being indexed by another process", settings.default_docs_dir)
    except Exception:
        logger.warning("default corpus %s not indexed", settings.default_docs_dir, exc_info=True)


def watch(metrics: GatewayMetrics, resources: Resources) -> None:
    """Gauges read at scrape time: the live index's size and the chat backend breaker's state."""
    index = resources.models.index
    if index is not None:
        metrics.watch_index(lambda: index.loaded.manifest["num_chunks"] if index.loaded else 0)
    breaker = resources.models.breaker
    if breaker is not None:
        metrics.watch_breaker(lambda: breaker.state)


def check_storage(settings: Settings) -> None:
    """Open and close the configured checkpointer and store once, before serving: a database that cannot be opened
    raises `StorageOpenError` here, where a command line can print its one-line message (inside the server, the
    lifespan's failure is logged with a traceback)."""

    async def open_and_close() -> None:
        storage = settings.storage()
        async with open_checkpointer(storage), open_store(storage):
            pass

    asyncio.run(open_and_close())


FoundationSource = Callable[[], AbstractAsyncContextManager[Foundation]]
"""Opens the foundation a gateway app serves on, for the length of its lifespan."""


def create_app(
    settings: Settings, *, models: ModelHandles | None = None, foundation: FoundationSource | None = None
) -> FastAPI:
    """Build the gateway. `models` lets tests inject fake model handles; otherwise they come from `settings`.
    `foundation` serves the app on a foundation opened elsewhere (the Agent Server's, shared with its own
    checkpointer, store and graph) instead of one of its own."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = foundation() if foundation is not None else open_foundation(settings, models=models)
        async with opened as parts:
            resources, handles = parts.resources, parts.models
            metrics: GatewayMetrics = app.state.metrics
            runner = TurnRunner(
                parts.graph,
                parts.sessions,
                parts.locks,
                limits=settings.turn_limits(),
                default_memory_backend=settings.memory_backend,
                metrics=metrics,
            )
            app.state.gateway = Gateway(
                resources=resources,
                sessions=parts.sessions,
                storage_health=parts.storage_health,
                runner=runner,
                responses=ResponsesService(runner, parts.sessions, ResponseStore(parts.store)),
                served=served_models(handles.model_name, resources.created_at, settings.capabilities(), handles.index),
                metrics=metrics,
                memory=settings.memory(),
                max_tokens_cap=settings.chat_max_tokens_cap,
                default_docs_dir=settings.default_docs_dir,
            )
            watch(metrics, resources)
            start_default_index(settings, resources)
            logger.info(
                "gateway ready: model=%s backend=%s sessions=%s",
                handles.model_name,
                handles.backend,
                settings.storage().backend,
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
    app.state.auth_failures = RateLimiter(settings.auth_failures_per_minute)
    anonymous = RateLimiter(settings.anonymous_rate_limit_per_minute if settings.keys_configured else 0)
    app.state.metrics = GatewayMetrics()
    install_error_handlers(app)
    for module in (chat, messages, responses, conversations, model_list, embeddings, workflows, sessions, memory):
        app.include_router(module.router, dependencies=[Depends(enforce_rate_limit)])
    app.include_router(admin_index.router, dependencies=[Depends(require_admin)])
    app.include_router(health.router)
    mount_ui(app)
    # Outermost last: the request id wraps everything, CORS headers reach even refusals, then metrics and limits;
    # the body deadline wraps the size limit (which reads the body), which wraps the string check (which parses it).
    app.add_middleware(StringHygieneMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(BodyTimeoutMiddleware, seconds=settings.body_timeout_seconds)
    app.add_middleware(AnonymousRateLimitMiddleware, limiter=anonymous, keyed_prefixes=KEYED_PREFIXES)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-Session-Id",
            "X-Request-Id",
            "X-Api-Key",
            "Anthropic-Version",
            "Anthropic-Beta",
        ],
        expose_headers=["X-Session-Id", "X-Request-Id", "Retry-After"],
    )
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-Id")
    return app


def create_app_from_env() -> FastAPI:
    """App factory for uvicorn's worker processes: each reads the same environment the CLI was started with."""
    return create_app(Settings())
