"""A grounded answer: the model answers from numbered passages, and what reaches the client is the checked text.

The model's tokens are kept out of LangGraph's `messages` stream (`TAG_NOSTREAM`): they go through a
`CitationChecker` first, and the checked text is streamed as `AnswerText` items on the `custom` stream, a sentence
at a time. The stored answer is the checked text, with the usage and finish reason the backend reported.
"""

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, AnyMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.constants import TAG_NOSTREAM

from turn.citations import CitationChecker, CitationReport, Support
from turn.conversation import stamp
from turn.prompts import NOT_COVERED

_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUIET: RunnableConfig = {"tags": [TAG_NOSTREAM]}


@dataclass(frozen=True)
class AnswerText:
    """Checked answer text for the client, written to the run's `custom` stream by the node that answers."""

    text: str
    node: str


@dataclass
class GroundedAnswers:
    """The state update of a grounded answer and what the checks did to the first (the session's) answer."""

    first: AIMessage
    alternatives: list[AIMessage] = field(default_factory=list)
    report: CitationReport = field(default_factory=CitationReport)


def not_covered_note(question: str) -> str:
    """What the gateway itself says when no passage is relevant, in the question's language."""
    return NOT_COVERED["zh" if _HAN.search(question) else "en"]


async def grounded_answers(
    model: Runnable[LanguageModelInput, AIMessage],
    prompt: Sequence[AnyMessage],
    passages: Sequence[str],
    support: Support,
    *,
    count: int,
    preface: str,
    write: Callable[[str], None],
) -> GroundedAnswers:
    """`count` answers to `prompt`: the first streamed through `write` as it is checked, the others generated at
    the same time and checked whole. `preface` (the "not covered" note, or nothing) opens every answer."""
    prompt = list(prompt)

    async def another() -> AIMessage:
        checker = CitationChecker(passages, support)
        message = await model.ainvoke(prompt, config=_QUIET)
        return _answer(message, preface + checker.feed(message.text) + checker.close())

    streamed = _streamed(model, prompt, passages, support, preface, write)
    (message, report), others = await asyncio.gather(streamed, asyncio.gather(*(another() for _ in range(count - 1))))
    return GroundedAnswers(stamp(message), [stamp(other) for other in others], report)


async def _streamed(
    model: Runnable[LanguageModelInput, AIMessage],
    prompt: list[AnyMessage],
    passages: Sequence[str],
    support: Support,
    preface: str,
    write: Callable[[str], None],
) -> tuple[AIMessage, CitationReport]:
    checker = CitationChecker(passages, support)
    parts = [preface] if preface else []
    if preface:
        write(preface)
    whole: AIMessageChunk | None = None
    async for chunk in model.astream(prompt, config=_QUIET):
        piece = cast(AIMessageChunk, chunk)  # a chat model streams chunks
        whole = piece if whole is None else whole + piece
        if checked := checker.feed(chunk.text):
            parts.append(checked)
            write(checked)
    if rest := checker.close():
        parts.append(rest)
        write(rest)
    return _answer(whole or AIMessageChunk(content=""), "".join(parts)), checker.report


def _answer(generated: AIMessage, text: str) -> AIMessage:
    """The answer as stored: the checked text, with what the backend reported about the call."""
    extras: dict[str, Any] = {"usage_metadata": generated.usage_metadata} if generated.usage_metadata else {}
    return AIMessage(
        content=text,
        id=generated.id,
        response_metadata=dict(generated.response_metadata),
        **extras,
    )
