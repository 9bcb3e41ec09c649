"""Graph factory for `langgraph.json` (`langgraph dev`, LangGraph Studio).

It compiles the graph bare: the LangGraph server brings its own checkpointer and store.

The server calls the factory on every graph access (each run, each state read). The heavy handles (the embedding
model with the index, the embedded llama.cpp server, the intent rules) are therefore opened on the first access and
kept for the life of the process; the model and index are used through threads, so any of the server's event loops
may share them. The chat client, which belongs to one event loop, is made anew on each access.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from langgraph.graph.state import CompiledStateGraph

from config.settings import Settings
from graph.builder import build_graph
from graph.resources import (
    Endpoint,
    assemble_resources,
    load_intent_rules,
    open_endpoint,
    open_index,
    short_term_memory,
)
from ingest.service import IndexService
from nodes.intent_rules import IntentRules
from nodes.local_model import LocalModelServer


@dataclass
class _Shared:
    settings: Settings
    index: IndexService
    endpoint: Endpoint
    intent_rules: IntentRules
    server: LocalModelServer | None = None
    """Held so the embedded server lives as long as the process."""


_shared: _Shared | None = None


async def _open_shared() -> _Shared:
    """Open the heavy handles once per process (two racing first calls may both open; the first one kept wins)."""
    global _shared
    if _shared is None:
        settings = Settings()
        index, rules = await open_index(settings), load_intent_rules(settings)
        endpoint, server = await open_endpoint(settings)
        opened = _Shared(settings, index, endpoint, rules, server)
        if _shared is None:
            _shared = opened
        elif opened.server is not None:
            opened.server.close()
    return _shared


@asynccontextmanager
async def make_graph() -> AsyncIterator[CompiledStateGraph]:
    """Yield the compiled turn graph, on resources from the environment (the server's `.env`)."""
    shared = await _open_shared()
    resources = assemble_resources(shared.settings, shared.index, shared.endpoint, shared.intent_rules)
    resources.memory = short_term_memory(shared.settings)
    yield build_graph(resources).compile(name="sage-gateway")
