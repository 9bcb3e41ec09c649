"""Request limits: a per-caller rate limit and a cap on request body size.

Both refuse before any work is done, so a refused request costs almost nothing and changes nothing.
"""

import math

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import ClientDep
from api.errors import OpenAIError
from api.token_bucket import RateLimiter


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
