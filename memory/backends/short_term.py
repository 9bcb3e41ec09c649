"""`short_term` memory: a sliding window over the session's own checkpointed messages, with a summary of what
came before it.

The window stores nothing of its own: the checkpointer already holds the conversation, so remembering is free
and clearing the thread clears it. The summary of older turns (see `memory.summary`) is stored per session.
"""

from collections.abc import Sequence
from typing import Any, cast

from langchain_core.messages import AnyMessage, BaseMessage, HumanMessage
from langchain_core.messages.utils import count_tokens_approximately, trim_messages

from memory.backends.base import MemoryContext, Turn
from memory.facts.language import HAN
from memory.summary import ConversationSummaries

SUMMARY_HEADING = "Summary of the earlier conversation:"


def count_tokens(messages: Sequence[BaseMessage]) -> int:
    """LangChain's approximation (4 characters a token), plus about one token for each Han character, which the
    approximation counts as a quarter: a Chinese window must not overflow the context."""
    han = sum(len(HAN.findall(m.text)) for m in messages)
    return count_tokens_approximately(messages) + han - han // 4


def text_tokens(text: str) -> int:
    han = len(HAN.findall(text))
    return (len(text) - han) // 4 + han + 1


class ShortTermMemory:
    """Keep the last `window_turns` turns, then cut to `max_tokens` from the oldest side; show the summary of
    older turns when there is one."""

    name = "short_term"

    def __init__(self, window_turns: int, max_tokens: int, summaries: ConversationSummaries | None = None) -> None:
        self.window_turns = window_turns
        self.max_tokens = max_tokens
        self.summaries = summaries

    async def recall(
        self, session_id: str, query: str, history: Sequence[AnyMessage], *, user: str | None = None
    ) -> MemoryContext:
        """Window the history by turns (a turn starts at a user message), then by an approximate token budget."""
        turn_starts = [i for i, message in enumerate(history) if isinstance(message, HumanMessage)]
        start = turn_starts[-self.window_turns] if len(turn_starts) >= self.window_turns else 0
        window = list(history[start:])
        trimmed = cast(
            list[AnyMessage],  # the same message objects it was given, some dropped
            trim_messages(
                window,
                max_tokens=self.max_tokens,
                token_counter=count_tokens,
                strategy="last",
                start_on="human",
                allow_partial=False,
            ),
        )
        first_kept = len(turn_starts) - sum(isinstance(m, HumanMessage) for m in trimmed)
        section = ""
        if self.summaries is not None and first_kept > 0:
            summary = await self.summaries.covering(session_id, history, first_kept)
            if summary is not None and summary.text:
                section = f"{SUMMARY_HEADING}\n{summary.text}"
        return MemoryContext(
            messages=trimmed,
            section=section,
            details={"turns_in_history": len(turn_starts), "messages_recalled": len(trimmed), "summary": bool(section)},
        )

    async def remember(self, session_id: str, turn: Turn, *, user: str | None = None) -> None:
        """Nothing to do: the checkpointer already stored the turn."""

    async def clear(self, session_id: str) -> None:
        """The window goes with the thread; the summary is dropped here."""
        if self.summaries is not None:
            await self.summaries.clear(session_id)

    async def stats(self, session_id: str) -> dict[str, Any]:
        """Describe the window; the conversation itself is counted by the session registry."""
        return {"backend": self.name, "items": 0, "bytes": 0, "last_write": None, "window_turns": self.window_turns}

    async def dump(self, session_id: str) -> dict[str, Any]:
        summary = await self.summaries.get(session_id) if self.summaries is not None else None
        return {
            "backend": self.name,
            "note": "the window is computed from the session's messages",
            "summary": summary.__dict__ if summary else None,
        }
