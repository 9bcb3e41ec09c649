"""Node `fallback`: the direct-LLM answer when the primary path failed: no memory, no retrieval, no extras."""

from contextlib import nullcontext
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime

from llm.breaker import CircuitBreaker
from turn.choices import generate_choices
from turn.context import GatewayContext
from turn.conversation import split_current_turn
from turn.prompt_building import build_prompt
from turn.prompts import FALLBACK_SYSTEM_PROMPT
from turn.state import TurnState


async def fallback(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    *,
    chat_model: BaseChatModel,
    breaker: CircuitBreaker | None = None,
) -> dict[str, Any]:
    """Answer the current turn alone; if this fails too, the turn fails and the API returns an error.

    The call goes through the same breaker as the primary answer: while the backend keeps failing, the fallback
    fails at once too instead of spending the rest of the turn's deadline on it.
    """
    _history, current = split_current_turn(state.messages)
    prompt = build_prompt(FALLBACK_SYSTEM_PROMPT, state.system_prompt, [], current)
    context = runtime.context or GatewayContext()
    with breaker.guard() if breaker else nullcontext():
        return await generate_choices(chat_model.bind(**context.model_kwargs()), prompt, context.choices)
