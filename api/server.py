"""How the gateway is served: uvicorn, with the connection limits uvicorn lacks.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) and answers 503 past `limit_concurrency`, but it
has no timeout for receiving a request's headers: a client that opens a connection and sends its headers slowly,
or never, holds the socket for as long as it likes (slowloris), and enough of them exhaust the process's file
descriptors. `EdgeProtocol` closes a connection whose request headers have not all arrived `header_timeout`
seconds after the connection (or the request) began, refuses connections beyond `max_connections` at once, and
closes a connection whose response is sent while its request body is still arriving. The request body's own
deadline (a 408) is `api.limits.BodyTimeoutMiddleware`.
"""

import asyncio
import http
import json
import logging
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from api.errors import OpenAIError, request_timeout

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EdgeLimits:
    """What the protocol enforces on each connection."""

    header_timeout: float = 10.0
    """Seconds a connection may take to deliver a request's headers (from its start, or the request's)."""
    max_connections: int = 1024
    """Connections held open at once; more are answered 503 and closed."""


def _raw_response(status: int, body: bytes) -> bytes:
    """A whole HTTP/1.1 response that closes the connection, written straight to the transport."""
    head = (
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


HEADERS_TOO_SLOW = _raw_response(408, bytes(request_timeout("the request headers did not arrive in time").body))
TOO_MANY_CONNECTIONS = _raw_response(
    503, json.dumps(OpenAIError(503, "too many open connections", code="too_many_connections").body()).encode()
)


# uvicorn has no timeout for request headers (slowloris): https://github.com/Kludex/uvicorn/issues/157
class EdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for request headers and a cap on open connections."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = config.limits if isinstance(config, ServerConfig) else EdgeLimits()
        self._header_deadline: asyncio.TimerHandle | None = None
        self._request_begun = False
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            transport.write(TOO_MANY_CONNECTIONS)
            transport.close()
            return
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        if not self._refused:
            super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_begun = True
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._request_begun = False
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        cycle = self.cycle
        if cycle.response_complete and cycle.more_body and not self.transport.is_closing():
            # Answered before its body arrived (the app never read it): whatever still trickles in is not read.
            self.transport.close()

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.limits.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the gateway stopped reading (a pipelined request waits): not the client's delay
            self._arm_header_deadline()
            return
        logger.debug("closing a connection whose request headers took over %s s", self.limits.header_timeout)
        if self._request_begun:
            self.transport.write(HEADERS_TOO_SLOW)
        self.transport.close()


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration serving `EdgeProtocol` with `limits`; it pickles whole, so worker processes started
    by uvicorn get the limits too."""

    def __init__(self, app: Any, *, limits: EdgeLimits, **options: Any) -> None:
        # uvicorn's own 503 counts the connection asking; EdgeProtocol's cap has already kept it within the limit.
        super().__init__(app, http=EdgeProtocol, limit_concurrency=limits.max_connections + 1, **options)
        self.limits = limits


def serve(config: ServerConfig) -> None:
    """Serve as `uvicorn.run` does: in this process, or in `config.workers` processes sharing one socket."""
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if config.workers == 1 and not server.started:
        raise SystemExit(STARTUP_FAILURE)
