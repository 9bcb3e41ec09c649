"""Node `generate_answer`: the model's answer to the current turn, with recalled memory as context."""

from contextlib import nullcontext
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime

from llm.breaker import CircuitBreaker
from turn.choices import generate_choices
from turn.context import GatewayContext
from turn.conversation import split_current_turn
from turn.prompt_building import build_prompt, passages_section
from turn.prompts import GATEWAY_SYSTEM_PROMPT
from turn.state import TurnState


async def generate_answer(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    *,
    chat_model: BaseChatModel,
    breaker: CircuitBreaker | None = None,
) -> dict[str, Any]:
    """Answer with the gateway prompt, retrieved passages (numbered, to cite), the client's system prompt,
    recalled memory and the current turn.

    Raises whatever the backend raises (or `CircuitOpenError` while the backend keeps failing): the graph's error
    handler, not this node, decides on the fallback.
    """
    _history, current = split_current_turn(state.messages)
    passages = passages_section(state.sources, retrieval_ran=state.route == "rag")
    base = "\n\n".join(part for part in (GATEWAY_SYSTEM_PROMPT, state.memory_section, passages) if part)
    prompt = build_prompt(base, state.system_prompt, state.memory_context, current)
    context = runtime.context or GatewayContext()
    with breaker.guard() if breaker else nullcontext():
        return await generate_choices(chat_model.bind(**context.model_kwargs()), prompt, context.choices)
