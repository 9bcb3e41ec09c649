"""Assemble the message list sent to the chat model."""

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage

from turn.prompts import GROUNDED_QUESTION, NOT_COVERED, PASSAGES_INTRO

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
    return [system_message(base_prompt, client_prompt), *without_gateway_notes(recalled), *current_turn]


def without_gateway_notes(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """Earlier answers without the notes the gateway itself wrote into them ("not covered"): a small model shown
    them in its history copies them into answers they do not belong to."""
    cleaned: list[AnyMessage] = []
    for message in messages:
        text = message.content if isinstance(message, AIMessage) and isinstance(message.content, str) else None
        note = next((note for note in NOT_COVERED.values() if text and text.startswith(note)), None)
        if text is not None and note is not None:
            message = message.model_copy(update={"content": text[len(note) :].lstrip()})
        cleaned.append(message)
    return cleaned


def passages_block(sources: Sequence[dict[str, Any]]) -> str:
    """The passages, numbered as the answer cites them and fenced as data, under their source and heading."""
    blocks = [
        f"[{n}] {_one_line(fenced(source['doc_path']))}"
        + (f", p. {source['page']}" if source.get("page") else "")
        + (f" > {_one_line(fenced(source['heading']))}" if source["heading"] else "")
        + f"\n<passage>\n{fenced(source['text'])}\n</passage>"
        for n, source in enumerate(sources, start=1)
    ]
    return PASSAGES_INTRO + "\n\n" + "\n\n".join(blocks)


def grounded_turn(current_turn: Sequence[AnyMessage], sources: Sequence[dict[str, Any]]) -> list[AnyMessage]:
    """The current turn with its question preceded by the passages (for this model call only: the session keeps
    the question as the user wrote it)."""
    turn = list(current_turn)
    last = max((i for i, m in enumerate(turn) if isinstance(m, HumanMessage)), default=None)
    if last is None or not sources:
        return turn
    question = GROUNDED_QUESTION.format(passages=passages_block(sources), question=turn[last].text)
    turn[last] = HumanMessage(question)
    return turn
