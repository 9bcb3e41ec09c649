"""Request limits: a per-caller rate limit and a cap on request body size.

Both refuse before any work is done, so a refused request costs almost nothing and changes nothing.
"""

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import ClientDep
from api.errors import OpenAIError


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute on average, bursts up to `burst`.

    Counted in this process; with several workers each has its own buckets, so the effective limit is per
    worker. Buckets of idle callers are evicted beyond `max_callers`, so random keys cannot grow memory.
    """

    def __init__(self, per_minute: int, burst: int | None = None, *, max_callers: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, caller: str, now: float | None = None) -> float:
        """Take one request from `caller`'s bucket: 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(caller, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[caller] = bucket
        if len(self._buckets) > self.max_callers:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


async def enforce_rate_limit(request: Request, caller: ClientDep) -> None:
    """429 with `Retry-After` when the caller is over its rate."""
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.enabled:
        return
    wait = limiter.acquire(caller.rate_key)
    if wait > 0:
        raise OpenAIError(
            429,
            f"rate limit exceeded: retry in {math.ceil(wait)} s",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(math.ceil(wait))},
        )


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with an OpenAI-shaped 413, declared or streamed (chunked).

    The body is read here (it is bounded) and replayed to the app, so an oversized one never reaches a route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, send: Send) -> None:
        error = OpenAIError(
            413,
            f"request body is larger than {self.max_bytes} bytes",
            code="request_too_large",
            headers={"Connection": "close"},
        )
        await error.response()({"type": "http"}, _never_receive, send)


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replaying() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replaying
