"""Conversation helpers the nodes share: the current turn, the latest question, and answer timestamps."""

from collections.abc import Sequence
from datetime import UTC, datetime

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage


def split_current_turn(messages: Sequence[AnyMessage]) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Return `(history, current_turn)`: the current turn is everything after the last assistant message."""
    last_answer = max((i for i, m in enumerate(messages) if isinstance(m, AIMessage)), default=-1)
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
