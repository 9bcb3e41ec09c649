"""Node `load_memory`: ask the session's memory backend what to remember for this turn."""

from typing import Any

from langgraph.runtime import Runtime

from memory.backends import MemoryBackend, backend_for_turn
from turn.context import GatewayContext, session_id_of
from turn.conversation import last_user_text, split_current_turn
from turn.state import TurnState


async def load_memory(state: TurnState, runtime: Runtime[GatewayContext], *, memory: MemoryBackend) -> dict[str, Any]:
    """Recall context for the current question from everything said before it: in this session, and (unless the
    answer must be a tool call or JSON) in the user's other sessions.

    As the first node of every turn it also clears the facts the previous turn left in the state (its error, its
    sources, its fallback), so that they describe this turn only.
    """
    history, current = split_current_turn(state.messages)
    context = runtime.context or GatewayContext()
    backend = backend_for_turn(memory, context.memory_backend)
    # a turn that must answer with a tool call or JSON is shaped by its own conversation only, never by what the
    # user said in other sessions (the client controls that context)
    user = None if context.wants_direct_answer else context.memory_user
    recalled = await backend.recall(session_id_of(context), last_user_text(current), history, user=user)
    return {
        "memory_context": recalled.messages,
        "memory_section": recalled.section,
        "error": None,
        "sources": [],
        "searched": False,
        "citations": None,
        "fallback": False,
        "alternatives": [],
    }
