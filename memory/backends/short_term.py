"""`short_term` memory: a sliding window over the session's own checkpointed messages.

It stores nothing of its own: the checkpointer already holds the conversation, so remembering is free and
clearing the thread clears the memory.
"""

from collections.abc import Sequence
from typing import Any, cast

from langchain_core.messages import AnyMessage, HumanMessage
from langchain_core.messages.utils import count_tokens_approximately, trim_messages

from memory.backends.base import MemoryContext, Turn


class ShortTermMemory:
    """Keep the last `window_turns` turns, then cut to `max_tokens` from the oldest side."""

    name = "short_term"

    def __init__(self, window_turns: int, max_tokens: int) -> None:
        self.window_turns = window_turns
        self.max_tokens = max_tokens

    async def recall(self, session_id: str, query: str, history: Sequence[AnyMessage]) -> MemoryContext:
        """Window the history by turns (a turn starts at a user message), then by an approximate token budget."""
        turn_starts = [i for i, message in enumerate(history) if isinstance(message, HumanMessage)]
        start = turn_starts[-self.window_turns] if len(turn_starts) >= self.window_turns else 0
        window = list(history[start:])
        trimmed = trim_messages(
            window,
            max_tokens=self.max_tokens,
            token_counter=count_tokens_approximately,
            strategy="last",
            start_on="human",
            allow_partial=False,
        )
        return MemoryContext(
            messages=cast(list[AnyMessage], trimmed),  # the same message objects it was given, some dropped
            details={"turns_in_history": len(turn_starts), "messages_recalled": len(trimmed)},
        )

    async def remember(self, session_id: str, turn: Turn) -> None:
        """Nothing to do: the checkpointer already stored the turn."""

    async def clear(self, session_id: str) -> None:
        """Nothing to do: clearing the thread clears this memory."""

    async def stats(self, session_id: str) -> dict[str, Any]:
        """Describe the window; the conversation itself is counted by the session registry."""
        return {"backend": self.name, "items": 0, "bytes": 0, "last_write": None, "window_turns": self.window_turns}

    async def dump(self, session_id: str) -> dict[str, Any]:
        return {"backend": self.name, "note": "the window is computed from the session's messages"}
