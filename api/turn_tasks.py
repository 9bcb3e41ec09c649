"""The turns in flight in this process, by session, so that a delete or a clear can stop them.

Every turn runs in its own task (`TurnTasks.start`): the request that asked for it only awaits or reads it. That
gives a change of the session one handle to cancel (`abort`), and it lets a streamed turn run at the model's pace
whatever its reader does (see `api.turns`).
"""

import asyncio
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class TurnTasks:
    """Tasks running turns, grouped by session; the ones stopped by `abort` are remembered as aborted."""

    def __init__(self) -> None:
        self._running: dict[str, set[asyncio.Task[Any]]] = {}
        self._aborted: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

    def start(self, session_id: str, turn: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(turn)
        running = self._running.setdefault(session_id, set())
        running.add(task)
        task.add_done_callback(lambda done: self._forget(session_id, done))
        return task

    def abort(self, session_id: str) -> int:
        """Cancel the session's turns (each undoes itself, see `TurnRunner`); returns how many there were."""
        running = list(self._running.get(session_id, ()))
        for task in running:
            self._aborted.add(task)
            task.cancel()
        return len(running)

    def was_aborted(self, task: asyncio.Task[Any]) -> bool:
        """Whether `task` ended because a change of its session stopped it (not because its reader left)."""
        return task in self._aborted

    def _forget(self, session_id: str, task: asyncio.Task[Any]) -> None:
        running = self._running.get(session_id)
        if running is None:
            return
        running.discard(task)
        if not running:
            del self._running[session_id]
