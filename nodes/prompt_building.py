"""Assemble the message list sent to the chat model."""

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AnyMessage, SystemMessage

from nodes.prompts import NO_PASSAGES_NOTE, PASSAGES_INTRO


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


def passages_section(sources: Sequence[dict[str, Any]], retrieval_ran: bool) -> str | None:
    """Numbered passages fenced as data, or the note that none matched; None when retrieval did not run."""
    if not retrieval_ran:
        return None
    if not sources:
        return NO_PASSAGES_NOTE
    blocks = [
        f"[{n}] {source['doc_path']}"
        + (f" > {source['heading']}" if source["heading"] else "")
        + f"\n<passage>\n{source['text']}\n</passage>"
        for n, source in enumerate(sources, start=1)
    ]
    return PASSAGES_INTRO + "\n\n" + "\n\n".join(blocks)
