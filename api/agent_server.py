"""The gateway inside the LangGraph Agent Server (`langgraph dev`): one process, one port, one set of sessions.

`langgraph.json` names five things here: `app` (the gateway's routes, mounted with `http.app`), `checkpointer` and
`store` (the gateway's own, by `checkpointer.path` and `store.path`), `make_graph` (the turn graph, by `graphs`)
and `auth` (who may use the LangGraph API, by `auth.path`). The first four share one `SharedFoundation`: storage
and models are opened once, by whichever the server enters first, and closed when the last lets go. Studio's
threads are then the gateway's sessions (same checkpoints, same store, one embedded model), and a session the
gateway creates is added to the server's thread list, which the server keeps apart from the checkpoints.

`app` and `auth` are the module-level objects: `http.app` and `auth.path` can only name attributes holding them.
Creating them reads the settings and opens nothing; everything live is opened in the lifespans.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from langgraph.store.base import BaseStore
from langgraph_sdk import Auth, get_client
from langgraph_sdk.client import ThreadsClient

from api.app import create_app
from api.auth import KeyRing, key_fingerprint
from config.settings import Settings
from graph.builder import CompiledTurnGraph, build_graph
from graph.foundation import GATEWAY_GRAPH_NAME, Foundation, open_foundation
from graph.resources import ModelHandles
from memory.checkpointer import Checkpointer

logger = logging.getLogger(__name__)

GRAPH_ID = "gateway"
"""The graph's id in `langgraph.json` (the assistant Studio opens)."""


def is_thread_id(session_id: str) -> bool:
    """Whether the Agent Server can hold the session as a thread: its thread ids are UUIDs in canonical form (the
    gateway names its sessions so; a client may name one otherwise, and Studio then does not list it)."""
    try:
        return str(uuid.UUID(session_id)) == session_id
    except ValueError:
        return False


class AgentServerThreads:
    """The Agent Server's thread list, told of the gateway's sessions through the server's in-process client."""

    def __init__(self, connect: Callable[[], ThreadsClient]) -> None:
        self._connect = connect
        self._threads: ThreadsClient | None = None

    def _client(self) -> ThreadsClient:
        if self._threads is None:  # on first use: the server's app exists only once it has started
            self._threads = self._connect()
        return self._threads

    async def register(self, session_id: str) -> None:
        """Add the session as a thread of the gateway's graph (kept as is when it is already listed). A failure
        is logged and does not fail the turn: the session works, Studio just does not list it."""
        if not is_thread_id(session_id):
            logger.info("session %s is not listed in the Agent Server: its id is not a UUID", session_id)
            return
        try:
            await self._client().create(thread_id=session_id, metadata={"graph_id": GRAPH_ID}, if_exists="do_nothing")
        except httpx.HTTPError:
            logger.warning("session %s could not be listed in the Agent Server", session_id, exc_info=True)

    async def forget(self, session_id: str) -> None:
        """Drop the session's thread (one the server does not know is already gone)."""
        if not is_thread_id(session_id):
            return
        try:
            await self._client().delete(session_id)
        except httpx.HTTPError as exc:
            gone = isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 404
            if not gone:
                logger.warning("thread %s could not be deleted from the Agent Server", session_id, exc_info=True)


def in_process_threads() -> ThreadsClient:
    """The Agent Server's threads API, called in process (no network, no auth: the server's loopback client)."""
    return get_client(url=None, api_key=None).threads


@dataclass
class _Opened:
    foundation: Foundation
    graph: CompiledTurnGraph
    handles: AsyncExitStack


class SharedFoundation:
    """One foundation for the gateway app and the Agent Server's checkpointer, store and graph: open while any of
    them holds it. Every holder runs on the server's event loop."""

    def __init__(self, settings: Settings, threads: AgentServerThreads, *, models: ModelHandles | None = None) -> None:
        self._settings = settings
        self._threads = threads
        self._models = models
        self._holders = 0
        self._opened: _Opened | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[_Opened]:
        """The opened parts, opened by the first holder and closed by the last."""
        async with self._lock:
            if self._opened is None:
                handles = AsyncExitStack()
                foundation = await handles.enter_async_context(
                    open_foundation(self._settings, models=self._models, threads=self._threads)
                )
                graph = build_graph(foundation.resources, sessions=foundation.sessions).compile(name=GATEWAY_GRAPH_NAME)
                self._opened = _Opened(foundation, graph, handles)
            self._holders += 1
            opened = self._opened
        try:
            yield opened
        finally:
            async with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._opened is not None:
                    self._opened = None
                    await opened.handles.aclose()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[Foundation]:
        """The open foundation, for as long as the block runs."""
        async with self._held() as opened:
            yield opened.foundation

    @asynccontextmanager
    async def hold_graph(self) -> AsyncIterator[CompiledTurnGraph]:
        """The turn graph as the Agent Server runs it: the gateway's, recording each turn in the session
        registry; compiled bare, since the server adds the checkpointer and store (the gateway's own)."""
        async with self._held() as opened:
            yield opened.graph


def create_agent_server_app(
    settings: Settings, *, models: ModelHandles | None = None, threads: AgentServerThreads | None = None
) -> FastAPI:
    """The gateway's app on a foundation the Agent Server's entries share (`app.state.foundation`). `models` and
    `threads` let tests pass fakes; otherwise the models come from `settings` and the threads from the server."""
    shared = SharedFoundation(settings, threads or AgentServerThreads(in_process_threads), models=models)
    app = create_app(settings, foundation=shared.hold)
    app.state.foundation = shared
    return app


app = create_agent_server_app(Settings())


def _shared() -> SharedFoundation:
    shared: SharedFoundation = app.state.foundation
    return shared


@asynccontextmanager
async def checkpointer() -> AsyncIterator[Checkpointer]:
    """`checkpointer.path`: the gateway's checkpointer (SQLite by default, PostgreSQL when configured)."""
    async with _shared().hold() as foundation:
        yield foundation.checkpointer


@asynccontextmanager
async def store() -> AsyncIterator[BaseStore]:
    """`store.path`: the gateway's store (session registry and memory)."""
    async with _shared().hold() as foundation:
        yield foundation.store


@asynccontextmanager
async def make_graph() -> AsyncIterator[CompiledTurnGraph]:
    """`graphs.gateway`: the turn graph, on the foundation already open (the server calls this on every access)."""
    async with _shared().hold_graph() as graph:
        yield graph


auth = Auth()
"""`auth.path` (with `disable_studio_auth`, so that no header skips the check)."""


@auth.authenticate
async def authenticate(authorization: str | None) -> str:
    """Who may use the LangGraph API. It reads and changes every session, whoever owns it, so with keys
    configured it takes an admin key (`Authorization: Bearer <SAGE_GATEWAY_ADMIN_KEY>`; a client key gets 403);
    with no key configured it is open, as the gateway is."""
    ring: KeyRing = app.state.keys
    if not ring.enabled:
        return "anonymous"
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Auth.exceptions.HTTPException(401, "missing API key: send an admin key as 'Authorization: Bearer <key>'")
    if ring.is_admin(token):
        return key_fingerprint(token)
    if ring.is_client(token):
        raise Auth.exceptions.HTTPException(403, "the LangGraph API needs an admin key (SAGE_GATEWAY_ADMIN_KEY)")
    raise Auth.exceptions.HTTPException(401, "invalid API key")
