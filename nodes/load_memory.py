"""Node `load_memory`: ask the session's memory backend what to remember for this turn."""

from typing import Any

from langgraph.runtime import Runtime

from graph.context import GatewayContext
from graph.state import TurnState
from memory.backends import backend_for_turn
from memory.backends.base import MemoryBackend
from nodes.turns import last_user_text, split_current_turn


async def load_memory(state: TurnState, runtime: Runtime[GatewayContext], *, memory: MemoryBackend) -> dict[str, Any]:
    """Recall context for the current question from everything said before it; starts the turn's trace."""
    history, current = split_current_turn(state.messages)
    context = runtime.context or GatewayContext()
    backend = backend_for_turn(memory, context.memory_backend)
    recalled = await backend.recall(context.session_id, last_user_text(current), history)
    return {
        "memory_context": recalled.messages,
        "memory_section": recalled.section,
        "route_trace": ["load_memory"],
        "error": None,
        "sources": [],
    }
