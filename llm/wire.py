"""The upstream chat call on aiohttp, with the exact request the openai SDK would send.

The SDK spends about 1.5 ms of CPU per call here (typed options, a transform walk, header merging, a typed
response object that langchain-openai then dumps back to a dict), and in a stream it builds one typed chunk
per token; httpx's connection pool adds more. The same request sent with aiohttp and read with orjson costs
about 0.2 ms. So the gateway sends a successful call's request itself and hands langchain-openai the response
as the dict it would have dumped:

- The request is the SDK's own: the first time a set of parameters is seen, the SDK builds the request into a
  transport that keeps it (`_SdkRequestShape`), and its key order, path and headers are reused from then on,
  so the body's bytes and the headers are the SDK's (`tests/unit/test_chat_wire.py` compares them).
- Only a 200 is read here. An error status the SDK would retry, or a refused connection, while retries
  remain, is sent again by the SDK with one retry fewer (`retrying_client`), so a backend sees exactly as many
  attempts as before; any other error status is replayed to the SDK, which raises its typed error from it. A
  backend that does not answer within the timeout is not asked again (the SDK's `APITimeoutError` at once).
"""

import asyncio
import json
import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx2
import openai
import orjson

RESERVED = frozenset({"extra_body", "extra_headers", "extra_query", "timeout"})
"""Payload keys that are options of the SDK's `create`, not fields of the body."""
RETRIED_STATUSES = frozenset({408, 409, 429})
"""Statuses the SDK retries besides every 5xx (its `_should_retry`, for a response without `x-should-retry`)."""
TRANSPORT_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection"})
"""Headers each transport writes itself."""


class UpstreamRefused(Exception):
    """The lean path got no success to read: send the request through the SDK. `attempted`: the backend was asked
    (a retryable status, no connection), so the SDK's attempt is a retry; otherwise the request never left."""

    def __init__(self, reason: str, *, attempted: bool = True) -> None:
        super().__init__(reason)
        self.attempted = attempted


@dataclass(frozen=True)
class _SdkRequestShape:
    """What the SDK makes of a payload with a given set of keys: the URL, its headers, and the body's key order."""

    url: str
    headers: Mapping[str, str]
    order: tuple[str, ...]


def _json_bytes(body: Mapping[str, Any]) -> bytes:
    """The SDK's serialization (`openai._utils._json.openapi_dumps`, for plain JSON values)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


BURST_PAUSE_SECONDS = 0.002
"""One read can hold a burst of chunks (a fast backend's whole answer), which the stream would otherwise parse and
pass on without once letting the event loop run: the client would see no token until the burst was through
(30 ms for 500 tokens here, where the SDK's transport paused at every read). A pause at least this often lets what
was parsed reach the client; pausing at every chunk instead costs 60% more CPU per token, since each token then
travels the graph's stream and the turn's buffer alone. The first `EAGER_CHUNKS` each get a pause, so the first
token takes its few hops to the client at once."""

EAGER_CHUNKS = 8


class UpstreamWire:
    """Chat-completion requests on one aiohttp session per event loop, shaped by `client` (the SDK)."""

    def __init__(self, client: openai.AsyncOpenAI, *, timeout_seconds: float, connect_timeout_seconds: float) -> None:
        self.client = client
        self.timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout_seconds, sock_read=timeout_seconds
        )
        self._shapes: dict[tuple[frozenset[str], frozenset[str]], _SdkRequestShape] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def completion(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The completion a non-stream request gets, as a dict; `UpstreamRefused` for anything but a 200."""
        async with self._post(payload) as response:
            return dict(orjson.loads(await response.read()))

    async def chunks(self, payload: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The chunks of a streamed request, as dicts, until `[DONE]`; `UpstreamRefused` before the first one
        for anything but a 200. An `error` the stream sends is raised as the SDK raises it."""
        async with self._post(payload) as response:
            clock = asyncio.get_running_loop().time
            paused_at, sent = clock(), 0
            async for data in _sse_data(response.content.iter_any()):
                if data.startswith("[DONE]"):
                    return
                chunk = orjson.loads(data)
                if isinstance(chunk, dict) and chunk.get("error"):
                    error = chunk["error"]
                    message = error.get("message") if isinstance(error, dict) else None
                    request = httpx2.Request("POST", str(response.url))
                    raise openai.APIError(message or "An error occurred during streaming", request, body=error)
                yield chunk
                sent += 1
                if sent <= EAGER_CHUNKS or clock() - paused_at >= BURST_PAUSE_SECONDS:  # see BURST_PAUSE_SECONDS
                    await asyncio.sleep(0)
                    paused_at = clock()

    def retrying_client(self) -> openai.AsyncOpenAI:
        """The SDK client that sends a refused request again: with one retry fewer, the lean path's attempt
        having been the first."""
        return self.client.with_options(max_retries=max(self.client.max_retries - 1, 0))

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @asynccontextmanager
    async def _post(self, payload: Mapping[str, Any]) -> AsyncIterator[aiohttp.ClientResponse]:
        shape = await self._shape(payload)
        try:
            body = _json_bytes(_body(payload, shape.order))
        except (TypeError, ValueError) as exc:  # a value only the SDK can serialize (a model object, NaN)
            raise UpstreamRefused(str(exc), attempted=False) from exc
        try:
            response = await self._session_here().post(shape.url, data=body, headers=dict(shape.headers))
        except TimeoutError as exc:  # not sent again: a backend that did not answer in time gets no second wait
            raise openai.APITimeoutError(httpx2.Request("POST", shape.url)) from exc
        except aiohttp.ClientConnectionError as exc:
            if self.client.max_retries > 0:
                await asyncio.sleep(_first_backoff(None))
                raise UpstreamRefused(str(exc)) from exc
            raise openai.APIConnectionError(request=httpx2.Request("POST", shape.url)) from exc
        async with response:
            if response.status != 200:
                body, headers = await response.read(), list(response.headers.items())
                if (response.status in RETRIED_STATUSES or response.status >= 500) and self.client.max_retries > 0:
                    await asyncio.sleep(_first_backoff(response.headers.get("retry-after")))
                    raise UpstreamRefused(f"HTTP {response.status}")
                await _raise_as_the_sdk(self.client, payload, response.status, headers, body)
            yield response

    def _session_here(self) -> aiohttp.ClientSession:
        """This event loop's session (tests and the Agent Server run several loops, one after another)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=1000, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
            self._loop = loop
        return self._session

    async def _shape(self, payload: Mapping[str, Any]) -> _SdkRequestShape:
        extra = payload.get("extra_body") or {}
        key = (frozenset(payload), frozenset(extra))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = await _sdk_request_shape(self.client, payload)
        return shape


def _body(payload: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The body as the SDK merges it: its parameters, then `extra_body` (whose keys win, in their place)."""
    fields = {**{k: v for k, v in payload.items() if k not in RESERVED}, **(payload.get("extra_body") or {})}
    if set(fields) != set(order):
        raise ValueError("the SDK shapes this request differently")
    return {key: fields[key] for key in order}


async def _sdk_request_shape(client: openai.AsyncOpenAI, payload: Mapping[str, Any]) -> _SdkRequestShape:
    """Let the SDK build the request for `payload` into a transport that keeps it and answers it cannedly."""
    seen: list[httpx2.Request] = []

    def keep(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if payload.get("stream"):
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=b"data: [DONE]\n\n")
        return httpx2.Response(200, json={"id": "shape", "object": "chat.completion", "choices": []})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(keep)) as capture:
        sdk = client.with_options(http_client=capture, max_retries=0)
        if payload.get("stream"):  # as langchain-openai calls it: a stream plainly, a completion for its raw response
            await (await sdk.chat.completions.create(**payload)).close()
        else:
            await sdk.chat.completions.with_raw_response.create(**payload)
    request = seen[0]
    headers = {name: value for name, value in request.headers.items() if name.lower() not in TRANSPORT_HEADERS}
    return _SdkRequestShape(str(request.url), headers, tuple(json.loads(request.content)))


def _first_backoff(retry_after: str | None) -> float:
    """How long the SDK waits before its first retry: the backend's `Retry-After` (seconds, up to a minute), else
    its initial delay (0.5 s, `openai._constants.INITIAL_RETRY_DELAY`) less up to a quarter of jitter."""
    try:
        asked = float(retry_after) if retry_after else None
    except ValueError:
        asked = None
    if asked is not None and 0 < asked <= 60:
        return asked
    return 0.5 * (1 - 0.25 * random.random())


async def _raise_as_the_sdk(
    client: openai.AsyncOpenAI, payload: Mapping[str, Any], status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Raise the error the SDK raises for this response (`BadRequestError`, `RateLimitError`, ...), by letting it
    read the response from a transport that replays it: the request is not sent again."""

    def replay(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, headers=headers, content=body)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(replay)) as replaying:
        sdk = client.with_options(http_client=replaying, max_retries=0)
        await sdk.chat.completions.with_raw_response.create(**payload)
    raise UpstreamRefused(f"the SDK accepted an HTTP {status}")  # not reached: the SDK raises for any non-2xx


async def _sse_data(pieces: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """The `data` of each server-sent event (lines joined as the SSE format says), from the body's bytes as
    they arrive. aiohttp reads no SSE, and its line reader refuses lines over 64 KiB (a long tool call's)."""
    buffer = b""
    data: list[str] = []
    async for piece in pieces:
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode()
            if not line:
                if data:
                    yield "\n".join(data)
                    data = []
                continue
            name, _, value = line.partition(":")
            if name == "data":
                data.append(value[1:] if value.startswith(" ") else value)
    if buffer.strip():
        name, _, value = buffer.rstrip(b"\r").decode().partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)
