"""Graph factory for `langgraph.json` (`langgraph dev`, LangGraph Studio).

It compiles the graph bare: the LangGraph server brings its own checkpointer and store.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.graph.state import CompiledStateGraph

from api.settings import Settings
from graph.builder import build_graph
from graph.resources import open_resources, short_term_memory


@asynccontextmanager
async def make_graph() -> AsyncIterator[CompiledStateGraph]:
    """Build resources from the environment (the server's `.env`) and yield the compiled turn graph."""
    settings = Settings()
    async with open_resources(settings) as resources:
        resources.memory = short_term_memory(settings)
        yield build_graph(resources).compile(name="sage-gateway")
