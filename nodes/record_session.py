"""Node `record_session`: record a turn the LangGraph Agent Server ran (from Studio or the LangGraph SDK) in the
session registry, as the gateway records the turns it runs itself, so the session's title, message count and
last activity (and its place in `GET /sessions`) follow the conversation whoever continued it."""

from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from memory.sessions import SessionRegistry
from turn.context import GatewayContext, session_id_of
from turn.state import TurnState


async def record_session(
    state: TurnState, runtime: Runtime[GatewayContext], *, sessions: SessionRegistry
) -> dict[str, Any]:
    """Update (or, for a thread made in Studio, create) the session's registry record. A thread made in Studio
    belongs to no API key: with keys configured it is not listed to any caller."""
    session_id = session_id_of(runtime.context or GatewayContext())
    if not session_id:
        return {}
    record = await sessions.get(session_id)
    first_turn = record is None or record.message_count == 0
    first_user = next((m for m in state.messages if isinstance(m, HumanMessage)), None)
    await sessions.record_turn(
        session_id,
        record,
        message_count=len(state.messages),
        first_user_text=first_user.text if first_turn and first_user else "",
        owner=record.owner if record else "",
    )
    return {}
