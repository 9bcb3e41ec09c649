"""Conversation helpers the nodes share: the current turn, the latest question, and answer timestamps."""

from collections.abc import Sequence
from datetime import UTC, datetime

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage


def is_final_answer(message: AnyMessage) -> bool:
    """An assistant message that ends a turn: one that asks for no tool (or legacy function) to be run. An answer
    that does ask belongs to the turn still going on, with the tool results the client sends next."""
    return (
        isinstance(message, AIMessage) and not message.tool_calls and "function_call" not in message.additional_kwargs
    )


def split_current_turn(messages: Sequence[AnyMessage]) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Return `(history, current_turn)`: the current turn is everything after the last final answer (so a tool
    round's call and results stay together with the question that started it)."""
    last_answer = max((i for i, m in enumerate(messages) if is_final_answer(m)), default=-1)
    return list(messages[: last_answer + 1]), list(messages[last_answer + 1 :])


def last_user_text(messages: Sequence[AnyMessage]) -> str:
    """The text of the most recent user message, or an empty string."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text
    return ""


def stamp(message: AIMessage) -> AIMessage:
    """Record when the answer was produced (shown by `GET /sessions/{id}`)."""
    message.response_metadata = {**message.response_metadata, "created_at": datetime.now(UTC).isoformat()}
    return message
