"""Assemble the message list sent to the chat model."""

from collections.abc import Sequence

from langchain_core.messages import AnyMessage, SystemMessage


def system_message(base_prompt: str, client_prompt: str | None) -> SystemMessage:
    """The gateway's instructions, followed by the client's own system prompt when it sent one."""
    if client_prompt:
        return SystemMessage(f"{base_prompt}\n\n{client_prompt}")
    return SystemMessage(base_prompt)


def build_prompt(
    base_prompt: str,
    client_prompt: str | None,
    recalled: Sequence[AnyMessage],
    current_turn: Sequence[AnyMessage],
) -> list[AnyMessage]:
    """System instructions, then recalled memory, then the messages of the current turn."""
    return [system_message(base_prompt, client_prompt), *recalled, *current_turn]
