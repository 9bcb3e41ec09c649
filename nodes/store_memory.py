"""Node `store_memory`: hand the finished turn to the session's memory backend."""

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from memory.backends import MemoryBackend, Turn, backend_for_turn
from turn.context import GatewayContext, session_id_of
from turn.conversation import is_final_answer
from turn.state import TurnState


async def store_memory(state: TurnState, runtime: Runtime[GatewayContext], *, memory: MemoryBackend) -> dict[str, Any]:
    """Remember the turn that just ended (its user messages and the answer, with the user messages of the turn
    before it); a run on no session and no thread remembers nothing, and neither does a tool round: its turn ends
    with the answer after the tools."""
    context = runtime.context or GatewayContext()
    answer_index = max(i for i, m in enumerate(state.messages) if isinstance(m, AIMessage))
    session_id = session_id_of(context)
    if not session_id or not is_final_answer(state.messages[answer_index]):
        return {}
    previous_answer, user = _user_messages_before(state.messages, answer_index)
    _, before = _user_messages_before(state.messages, previous_answer) if previous_answer >= 0 else (-1, [])
    backend = backend_for_turn(memory, context.memory_backend)
    turn = Turn(user=user, answer=state.messages[answer_index], before=before)
    await backend.remember(session_id, turn, user=context.memory_user)
    return {}


def _user_messages_before(messages: Sequence[AnyMessage], answer_index: int) -> tuple[int, list[AnyMessage]]:
    """The user messages of the turn the answer at `answer_index` ends, and where the answer before them is (-1:
    none)."""
    previous = max((i for i, m in enumerate(messages[:answer_index]) if is_final_answer(m)), default=-1)
    return previous, [m for m in messages[previous + 1 : answer_index] if isinstance(m, HumanMessage)]
