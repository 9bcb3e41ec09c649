"""The load generator's HTTP client: HTTP/1.1 with keep-alive on raw asyncio streams, one pool per server.

Why not httpx: on this 2-CPU machine an `httpx.AsyncClient` spent 1.2 ms of CPU per request in the load generator
(against a server that answers at once). At 500 requests a second that is 60% of a CPU taken from the servers
being measured, and the open-loop rows would measure the client. This client spends a small fraction of that: it
writes one pre-encoded request and reads the status line, the headers and a `Content-Length` or chunked body,
which is all the three servers here (uvicorn behind each) ever send.
"""

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_CONNECTIONS = 1000
"""Connections one pool opens at most (the gateway refuses more than 1024 per process; the file limit here is far
higher). Requests beyond it wait for a free connection, and that wait counts in their latency."""


class HttpError(RuntimeError):
    """The server closed the connection or answered something that is not HTTP/1.1."""


class ClosedBeforeAnswer(HttpError):
    """The connection was closed before any byte of the answer came back (a kept-alive one the server dropped)."""


@dataclass(frozen=True)
class Endpoint:
    """Where a target's chat completions are posted."""

    host: str
    port: int
    path: str

    @classmethod
    def from_url(cls, url: str) -> "Endpoint":
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"{url}: only http://host:port/path is supported")
        return cls(parts.hostname, parts.port, parts.path or "/")


@dataclass
class Reply:
    """One answer: its status and body, and for a stream when its first content delta arrived and how many came."""

    status: int
    body: bytes
    first_content_at: float | None = None
    """`time.perf_counter()` when the first non-empty `delta.content` arrived (streams only)."""
    content_deltas: int = 0


@dataclass
class SseContent:
    """Counts the content deltas of a chat completion stream as its bytes arrive, split anywhere.

    Only `data: {...}` lines are parsed; each is one JSON chunk whose first choice may carry `delta.content`.
    Lines may end in CRLF (sse-starlette) or LF (plain Starlette).
    """

    first_at: float | None = None
    deltas: int = 0
    _pending: bytes = field(default=b"", repr=False)

    def feed(self, data: bytes, now: float) -> None:
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            if not line.startswith(b"data: {"):
                continue
            payload = json.loads(line[6:])
            choices = payload.get("choices") or []
            if choices and (choices[0].get("delta") or {}).get("content"):
                self.deltas += 1
                if self.first_at is None:
                    self.first_at = now


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpClient:
    """Keep-alive HTTP/1.1 POSTs of JSON to one endpoint, over a pool of up to `max_connections` connections."""

    def __init__(self, endpoint: Endpoint, *, max_connections: int = MAX_CONNECTIONS) -> None:
        self.endpoint = endpoint
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self.opened = 0
        """Connections opened so far (a test checks that they are reused)."""

    def request_bytes(self, body: bytes) -> bytes:
        """The whole request, encoded once per body by callers that send it many times."""
        head = (
            f"POST {self.endpoint.path} HTTP/1.1\r\nHost: {self.endpoint.host}:{self.endpoint.port}\r\n"
            f"Content-Type: application/json\r\nAccept: */*\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode("ascii") + body

    async def post(self, request: bytes, *, stream: bool = False) -> Reply:
        """Send a request made by `request_bytes` and read the whole answer.

        A kept-alive connection the server closed meanwhile (uvicorn closes idle ones after 5 s, and a target idles
        while the others are measured) fails before any byte comes back: the request is then sent once more on a
        new connection, as HTTP clients do.
        """
        async with self._slots:
            while self._idle:
                connection = self._idle.pop()
                if connection[0].at_eof():
                    connection[1].close()
                    continue
                try:
                    return await self._exchange(connection, request, stream)
                except (ClosedBeforeAnswer, ConnectionResetError, BrokenPipeError):
                    continue  # a stale connection: try the next, then a new one
            connection = await asyncio.open_connection(self.endpoint.host, self.endpoint.port)
            self.opened += 1
            return await self._exchange(connection, request, stream)

    async def _exchange(self, connection: Connection, request: bytes, stream: bool) -> Reply:
        reader, writer = connection
        reusable = False
        try:
            writer.write(request)
            status_line = await reader.readline()
            if not status_line:
                raise ClosedBeforeAnswer("connection closed before an answer")
            parts = status_line.split(None, 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
                raise HttpError(f"not an HTTP answer: {status_line[:80]!r}")
            status = int(parts[1])
            headers: dict[bytes, bytes] = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            sse = SseContent() if stream else None
            body = await _read_body(reader, headers, sse)
            framed = b"content-length" in headers or headers.get(b"transfer-encoding", b"").lower() == b"chunked"
            reusable = framed and headers.get(b"connection", b"").lower() != b"close"
            return Reply(status, body, sse.first_at if sse else None, sse.deltas if sse else 0)
        except asyncio.IncompleteReadError as exc:
            raise HttpError("connection closed in the middle of an answer") from exc
        finally:
            if reusable and not reader.at_eof():
                self._idle.append(connection)
            else:
                writer.close()

    async def aclose(self) -> None:
        while self._idle:
            _, writer = self._idle.pop()
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass


async def _read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes], sse: SseContent | None) -> bytes:
    """The body by `Content-Length`, chunked transfer coding, or (neither) until the server closes."""
    pieces: list[bytes] = []

    def take(data: bytes) -> None:
        pieces.append(data)
        if sse is not None:
            sse.feed(data, time.perf_counter())

    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            take(await reader.readexactly(size))
            await reader.readexactly(2)
    elif b"content-length" in headers:
        take(await reader.readexactly(int(headers[b"content-length"])))
    else:
        while data := await reader.read(65536):
            take(data)
    return b"".join(pieces)
