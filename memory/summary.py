"""Summaries of the part of a long session that has left the window.

A small model has a small context: the window keeps the last turns, and the turns before it are summarised by
the model, in the background, a batch at a time (the previous summary plus the turns since), into one stored
item per session (`("memory", session, "summary")`, key `current`): `text`, and `through`, the number of turns
it covers. Recall shows the summary above the window; the turns between `through` and the window's start (at
most a batch) are simply not shown until the next summary, which is what a window does anyway.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM
from langgraph.store.base import BaseStore

from memory.background import BackgroundWork
from memory.scopes import session_scope

logger = logging.getLogger(__name__)
SUMMARY = "summary"
PROMPT = (
    "Summarise the conversation below for the assistant's memory in at most six short lines. Keep every fact the "
    "user states about themselves or other people (names, numbers, dates, places, preferences) exactly as written, "
    "and the decisions made. No preamble."
)


@dataclass(frozen=True)
class Summary:
    text: str
    through: int
    """Turns (user messages) of the session it covers, from the first."""


def turns_of(history: Sequence[AnyMessage]) -> list[list[AnyMessage]]:
    """The history cut into turns, each starting at a user message (anything before the first is dropped)."""
    turns: list[list[AnyMessage]] = []
    for message in history:
        if isinstance(message, HumanMessage):
            turns.append([message])
        elif turns:
            turns[-1].append(message)
    return turns


def transcript(turns: Sequence[Sequence[AnyMessage]], max_chars: int) -> str:
    """The turns as `user:` / `assistant:` lines (tool traffic left out), the newest kept when too long."""
    lines = [
        f"{'user' if isinstance(m, HumanMessage) else 'assistant'}: {m.text}"
        for turn in turns
        for m in turn
        if isinstance(m, HumanMessage) or (isinstance(m, AIMessage) and m.text)
    ]
    text = "\n".join(lines)
    return text[-max_chars:]


class ConversationSummaries:
    """Reads a session's summary; refreshes it in the background once `batch_turns` more turns have left the
    window. Without a model, nothing is summarised (the window alone is shown)."""

    def __init__(
        self,
        store: BaseStore,
        model: BaseChatModel | None,
        background: BackgroundWork,
        *,
        batch_turns: int = 8,
        max_input_chars: int = 6000,
        max_summary_tokens: int = 200,
    ) -> None:
        self.store = store
        self.model = model
        self.background = background
        self.batch_turns = batch_turns
        self.max_input_chars = max_input_chars
        self.max_summary_tokens = max_summary_tokens

    async def get(self, session_id: str) -> Summary | None:
        item = await self.store.aget(session_scope(session_id).namespace(SUMMARY), "current")
        return Summary(item.value["text"], item.value["through"]) if item else None

    async def covering(self, session_id: str, history: Sequence[AnyMessage], window_start: int) -> Summary | None:
        """The summary to show before a window that starts at turn `window_start`; starts a refresh when a batch
        of turns before the window is not yet in it."""
        if window_start <= 0 or not session_id:
            return None
        summary = await self.get(session_id)
        through = summary.through if summary else 0
        if self.model is not None and window_start - through >= self.batch_turns:
            turns = turns_of(history)[through:window_start]
            self.background.start(f"summary:{session_id}", self.refresh(session_id, summary, turns, window_start))
        return summary

    async def refresh(
        self, session_id: str, previous: Summary | None, turns: Sequence[Sequence[AnyMessage]], through: int
    ) -> Summary:
        """Summarise `previous` plus `turns` into the session's new summary."""
        assert self.model is not None
        earlier = f"Summary so far:\n{previous.text}\n\n" if previous else ""
        body = f"{earlier}Conversation:\n{transcript(turns, self.max_input_chars)}"
        reply = await self.model.bind(temperature=0, max_tokens=self.max_summary_tokens).ainvoke(
            [SystemMessage(PROMPT), HumanMessage(body)], config={"tags": [TAG_NOSTREAM]}
        )
        summary = Summary(reply.text.strip(), through)
        value = {"text": summary.text, "through": through, "at": datetime.now(UTC).isoformat()}
        await self.store.aput(session_scope(session_id).namespace(SUMMARY), "current", value, index=False)
        return summary

    async def clear(self, session_id: str) -> None:
        await self.store.adelete(session_scope(session_id).namespace(SUMMARY), "current")
