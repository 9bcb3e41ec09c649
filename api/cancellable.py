"""Iterate an async generator from its own task, so that stopping early cancels it outright.

Closing a suspended LangGraph `astream` with `aclose()` leaves its running node (and the model's HTTP stream)
to finish on its own. Cancelling the task that drives the stream stops both at once, which is what a client
disconnect must do.
"""

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


@dataclass(frozen=True)
class _Item(Generic[T]):
    value: T


async def cancellable(source: AsyncIterator[T], *, buffer: int = 64) -> AsyncGenerator[T]:
    """Yield `source`'s items; when this generator is closed or cancelled, cancel `source`'s task and wait."""
    queue: asyncio.Queue[_Item[T] | Exception | None] = asyncio.Queue(maxsize=buffer)
    """Items, then None at the end, or the source's exception."""

    async def drive() -> None:
        try:
            async for item in source:
                await queue.put(_Item(item))
        except Exception as exc:  # handed to the consumer, raised there
            await queue.put(exc)
            return
        await queue.put(None)

    task = asyncio.create_task(drive())
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item.value
    finally:
        if not task.done():
            task.cancel()
        with anyio.CancelScope(shield=True):
            await asyncio.gather(task, return_exceptions=True)
