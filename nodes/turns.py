"""Helpers that split a conversation into history and the current turn."""

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage


def split_current_turn(messages: Sequence[AnyMessage]) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Return `(history, current_turn)`: the current turn is everything after the last assistant message."""
    last_answer = max((i for i, m in enumerate(messages) if isinstance(m, AIMessage)), default=-1)
    return list(messages[: last_answer + 1]), list(messages[last_answer + 1 :])


def message_text(message: AnyMessage) -> str:
    """The plain text of a message, joining text parts of multi-part content."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = [part if isinstance(part, str) else str(part.get("text", "")) for part in content]
    return "".join(parts)


def last_user_text(messages: Sequence[AnyMessage]) -> str:
    """The text of the most recent user message, or an empty string."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message_text(message)
    return ""
