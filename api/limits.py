"""Request limits: a per-caller rate limit, a per-address limit on the routes that need no key, a cap on request
body size and a deadline for the body to arrive.

All refuse before any work is done, so a refused request costs almost nothing and changes nothing.
"""

import anyio
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import ClientDep
from api.errors import OpenAIError, request_timeout, too_many_requests
from api.token_bucket import RateLimiter


async def enforce_rate_limit(request: Request, caller: ClientDep) -> None:
    """429 with `Retry-After` when the caller is over its rate."""
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.enabled:
        return
    wait = limiter.acquire(caller.rate_key)
    if wait > 0:
        raise too_many_requests(wait, "rate limit exceeded", "rate_limit_exceeded")


class AnonymousRateLimitMiddleware:
    """A token bucket per client address for every path outside `keyed_prefixes`: the probes, the service map,
    the chat page, the API docs and unknown paths, which anyone may call. Keyed paths are left to the key checks
    (and their own limits), so a client with a key is never counted twice."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, keyed_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.limiter = limiter
        self.keyed_prefixes = keyed_prefixes

    def _is_keyed(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.keyed_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.limiter.enabled and not self._is_keyed(scope["path"]):
            client = scope.get("client")
            wait = self.limiter.acquire(f"addr-{client[0]}" if client else "addr-unknown")
            if wait > 0:
                refusal = too_many_requests(wait, "rate limit exceeded for this address", "rate_limit_exceeded")
                await refusal.response_for(scope.get("path", ""))(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _BodyTooSlow(Exception):
    """The request body did not arrive before its deadline."""


class BodyTimeoutMiddleware:
    """408 (and the connection closed) for a request whose body has not all arrived `seconds` after the request
    reached the gateway, however slowly it trickles; nothing after the body (such as waiting for a disconnect
    during a stream) is bounded. It must wrap whatever reads the body (`BodySizeLimitMiddleware`), so the
    deadline surfaces here and not inside a route."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        body_received = response_started = False

        async def bounded_receive() -> Message:
            nonlocal body_received
            if body_received:
                return await receive()
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    message = await receive()
            except TimeoutError:
                raise _BodyTooSlow from None
            body_received = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except _BodyTooSlow:
            if response_started:
                raise
            message = f"the request body did not arrive within {self.seconds:g} s"
            await request_timeout(message, scope.get("path", ""))(scope, receive, send)


BODYLESS_METHODS = ("GET", "HEAD", "OPTIONS", "DELETE")
"""Methods whose bodies no route reads: neither bounded nor read at the edge."""


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with an OpenAI-shaped 413, declared or streamed (chunked).

    The body is read here (it is bounded) and replayed to the app, so an oversized one never reaches a route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope.get("path", ""), send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay([message], receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope.get("path", ""), send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, replay([whole], receive), send)

    async def _refuse(self, path: str, send: Send) -> None:
        error = OpenAIError(
            413,
            f"request body is larger than {self.max_bytes} bytes",
            code="request_too_large",
            headers={"Connection": "close"},
        )
        await error.response_for(path)({"type": "http"}, _never_receive, send)


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that hands out `messages` (a body already read) first, then whatever `receive` gives."""
    pending = list(messages)

    async def replaying() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replaying
