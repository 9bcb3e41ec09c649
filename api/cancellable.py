"""Iterate an async generator from its own task, so that stopping early cancels it outright.

Closing a suspended LangGraph `astream` with `aclose()` leaves its running node (and the model's HTTP stream)
to finish on its own. Cancelling the task that drives the stream stops both at once, which is what a client
disconnect must do.
"""

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

import anyio

T = TypeVar("T")
_END = object()


async def cancellable(source: AsyncIterator[T], *, buffer: int = 64) -> AsyncGenerator[T]:
    """Yield `source`'s items; when this generator is closed or cancelled, cancel `source`'s task and wait."""
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=buffer)

    async def drive() -> None:
        try:
            async for item in source:
                await queue.put(item)
        except Exception as exc:  # handed to the consumer, raised there
            await queue.put(exc)
            return
        await queue.put(_END)

    task = asyncio.create_task(drive())
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        if not task.done():
            task.cancel()
        with anyio.CancelScope(shield=True):
            await asyncio.gather(task, return_exceptions=True)
