"""Memory work that must not delay an answer (model extraction, summaries): tasks the process tracks, so that
shutdown can wait for them and tests can wait for them, and whose failures are logged rather than lost."""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundWork:
    """A set of running tasks; one per key at a time (a second request for the same key while one runs is
    dropped: the running one will see the newer data, or the next turn starts it again)."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self.failures = 0

    def start(self, key: str, work: Coroutine[Any, Any, Any]) -> bool:
        """Run `work` in the background unless work for `key` is already running; returns whether it started."""
        if key in self._tasks:
            work.close()
            return False
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return True

    def _finished(self, key: str, task: asyncio.Task[Any]) -> None:
        self._tasks.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            self.failures += 1
            logger.warning("memory background work %s failed", key.split(":", 1)[0], exc_info=task.exception())

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def drain(self, seconds: float | None = None) -> None:
        """Wait until no work is running (work started meanwhile included); cancel what is left after `seconds`."""

        async def settle() -> None:
            while self._tasks:
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)

        try:
            await asyncio.wait_for(settle(), seconds)
        except TimeoutError:
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
