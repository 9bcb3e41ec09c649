"""Assemble the message list sent to the chat model."""

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AnyMessage, SystemMessage

from turn.prompts import NO_PASSAGES_NOTE, PASSAGES_INTRO

_FENCE_TAG = re.compile(r"<(/?)(passage)", re.IGNORECASE)


def fenced(text: str) -> str:
    """Passage text that cannot close its own fence: a document saying `</passage>` (to smuggle instructions
    out of the data block) has the tag defused."""
    return _FENCE_TAG.sub(r"&lt;\1\2", text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
        f"[{n}] {_one_line(fenced(source['doc_path']))}"
        + (f" > {_one_line(fenced(source['heading']))}" if source["heading"] else "")
        + f"\n<passage>\n{fenced(source['text'])}\n</passage>"
        for n, source in enumerate(sources, start=1)
    ]
    return PASSAGES_INTRO + "\n\n" + "\n\n".join(blocks)
