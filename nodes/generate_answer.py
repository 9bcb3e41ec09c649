"""Node `generate_answer`: the model's answer to the current turn, with recalled memory as context."""

from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graph.context import GatewayContext
from graph.state import TurnState
from nodes.circuit_breaker import CircuitBreaker
from nodes.prompt_building import build_prompt, passages_section
from nodes.prompts import GATEWAY_SYSTEM_PROMPT
from nodes.turns import split_current_turn


def stamp(message: AIMessage) -> AIMessage:
    """Record when the answer was produced (shown by `GET /sessions/{id}`)."""
    message.response_metadata = {**message.response_metadata, "created_at": datetime.now(UTC).isoformat()}
    return message


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
    passages = passages_section(state.sources, retrieval_ran="retrieve" in state.route_trace)
    base = "\n\n".join(part for part in (GATEWAY_SYSTEM_PROMPT, state.memory_section, passages) if part)
    prompt = build_prompt(base, state.system_prompt, state.memory_context, current)
    context = runtime.context or GatewayContext()
    with breaker.guard() if breaker else nullcontext():
        answer = await chat_model.bind(**context.sampling_kwargs()).ainvoke(prompt)
    return {"messages": [stamp(answer)], "route_trace": [*state.route_trace, "generate_answer"]}
