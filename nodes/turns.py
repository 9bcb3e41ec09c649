"""Helpers that split a conversation into history and the current turn."""

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from memory.text import message_text

__all__ = ["last_user_text", "message_text", "split_current_turn"]


def split_current_turn(messages: Sequence[AnyMessage]) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Return `(history, current_turn)`: the current turn is everything after the last assistant message."""
    last_answer = max((i for i, m in enumerate(messages) if isinstance(m, AIMessage)), default=-1)
    return list(messages[: last_answer + 1]), list(messages[last_answer + 1 :])


def last_user_text(messages: Sequence[AnyMessage]) -> str:
    """The text of the most recent user message, or an empty string."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message_text(message)
    return ""
