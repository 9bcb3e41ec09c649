"""Node `answer_direct`: the client's request passed through to the model, for answers that must be tool calls or
JSON. No gateway instructions, retrieved passages or workflow text are put into such a prompt: any of them could
turn a call or a document the client will parse into prose."""

from contextlib import nullcontext
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, SystemMessage
from langgraph.runtime import Runtime

from llm.breaker import CircuitBreaker
from turn.choices import generate_choices
from turn.context import GatewayContext
from turn.conversation import split_current_turn
from turn.state import TurnState


async def answer_direct(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    *,
    chat_model: BaseChatModel,
    breaker: CircuitBreaker | None = None,
) -> dict[str, Any]:
    """Answer with the client's system prompt, the recalled conversation and the current turn (its question and
    any tool calls and results since), with the client's tools, tool choice and response format bound.

    There is no fallback: a plain answer in place of the tool call or the JSON the client asked for would be a
    wrong answer, not a degraded one, so a failure here fails the turn.
    """
    _history, current = split_current_turn(state.messages)
    instructions = "\n\n".join(part for part in (state.system_prompt, state.memory_section) if part)
    system = [SystemMessage(instructions)] if instructions else []  # one system message: chat templates want that
    prompt: list[AnyMessage] = [*system, *state.memory_context, *current]
    context = runtime.context or GatewayContext()
    with breaker.guard() if breaker else nullcontext():
        return await generate_choices(chat_model.bind(**context.model_kwargs()), prompt, context.choices)
