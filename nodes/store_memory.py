"""Node `store_memory`: hand the finished turn to the memory backend and update the session registry."""

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

from graph.context import GatewayContext
from graph.state import TurnState
from memory.backends import backend_for_turn
from memory.backends.base import MemoryBackend, Turn
from memory.sessions import record_turn
from nodes.turns import message_text


async def store_memory(state: TurnState, runtime: Runtime[GatewayContext], *, memory: MemoryBackend) -> dict[str, Any]:
    """Remember the turn that just ended; the registry write is the turn's one bookkeeping write."""
    answer_index = max(i for i, m in enumerate(state.messages) if isinstance(m, AIMessage))
    previous_answer = max(
        (i for i, m in enumerate(state.messages[:answer_index]) if isinstance(m, AIMessage)), default=-1
    )
    user_messages = [m for m in state.messages[previous_answer + 1 : answer_index] if isinstance(m, HumanMessage)]
    session_id = runtime.context.session_id if runtime.context else ""
    if session_id:
        backend = backend_for_turn(memory, runtime.context.memory_backend)
        await backend.remember(session_id, Turn(user=user_messages, answer=state.messages[answer_index]))
        if runtime.store is not None:
            first_user = next((m for m in state.messages if isinstance(m, HumanMessage)), None)
            await record_turn(
                runtime.store,
                session_id,
                len(state.messages),
                message_text(first_user) if first_user else "",
                owner=runtime.context.owner,
                known_new=runtime.context.new_session,
            )
    return {"route_trace": [*state.route_trace, "store_memory"]}
