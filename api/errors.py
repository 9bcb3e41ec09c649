"""OpenAI-shaped errors: every failure leaves as `{"error": {"message", "type", "param", "code"}}`."""

import logging
import math
from typing import Any

import httpx
import openai
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from llm.breaker import CircuitOpenError
from llm.chat import MalformedUpstreamError
from memory.locks import LockCapacityError, SessionBusyError
from memory.storage_faults import storage_fault

logger = logging.getLogger(__name__)

_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    502: "upstream_error",
    503: "service_unavailable",
    504: "timeout_error",
}


class OpenAIError(Exception):
    """An error the client should see, with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type or _TYPE_BY_STATUS.get(status, "server_error")
        """The body's `type`: the status's usual one unless OpenAI gives this error another."""
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers

    def response(self) -> JSONResponse:
        """The error as the client receives it: the OpenAI body, its status and headers."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)

    def response_for(self, path: str) -> JSONResponse:
        """The error in the shape of the protocol the route at `path` speaks (Anthropic's under `/v1/messages`)."""
        if path.startswith(ANTHROPIC_PATH):
            return JSONResponse(anthropic_error_body(self), status_code=self.status, headers=self.headers)
        return self.response()

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def from_gateway_limits(exc: BaseException) -> OpenAIError | None:
    """The gateway's own bounds (a busy session, no free lock connection) as the status
    that tells a client what to do: retry later, or ask for less."""
    if isinstance(exc, SessionBusyError):
        message = f"session '{exc.session_id}' is busy with another request; retry shortly"
        return OpenAIError(409, message, param="session_id", code="session_busy", headers=_retry_after(exc.retry_after))
    if isinstance(exc, LockCapacityError):
        message = "the gateway is at its capacity of concurrent turns; retry shortly"
        return OpenAIError(429, message, code="turn_capacity", headers=_retry_after(exc.retry_after))
    return None


def from_upstream(exc: BaseException) -> OpenAIError | None:
    """Translate a chat-backend failure into the gateway status that says what went wrong, or None.

    What the backend said is logged here and never forwarded: its error bodies can hold internal addresses,
    keys or prompts. The client learns the class of the failure and the upstream status.
    """
    error = _upstream_error(exc)
    if error is not None:
        logger.warning("chat backend failure (%s): %s", error.code, exc)
    return error


def _upstream_error(exc: BaseException) -> OpenAIError | None:
    if isinstance(exc, CircuitOpenError):
        return OpenAIError(503, "the model backend is failing; retry later", code="upstream_unavailable")
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return OpenAIError(504, "the model backend did not answer in time", code="upstream_timeout")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return OpenAIError(503, "the model backend is unreachable", code="upstream_unavailable")
    if isinstance(exc, MalformedUpstreamError | openai.APIResponseValidationError):
        return OpenAIError(502, "the model backend sent a malformed response", code="upstream_malformed")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code in (400, 404, 413, 422):
            message = f"the model backend rejected the request (HTTP {exc.status_code})"
            return OpenAIError(400, message, code="upstream_rejected")
        if exc.status_code == 429:
            return OpenAIError(503, "the model backend is overloaded (429)", code="upstream_rate_limited")
        return OpenAIError(502, f"the model backend failed with HTTP {exc.status_code}", code="upstream_error")
    return None


def from_storage(exc: BaseException) -> OpenAIError | None:
    """A session-storage fault (full disk, corrupt file, database down) as a 503, or None; the real error is
    logged, never sent (it names files and hosts)."""
    if storage_fault(exc) is None:
        return None
    logger.error("session storage is unavailable", exc_info=exc)
    return OpenAIError(503, "session storage is unavailable", code="storage_unavailable")


def as_openai_error(exc: BaseException) -> OpenAIError:
    """Any exception as the error the client gets; unknown ones are logged and become a plain 500."""
    if isinstance(exc, OpenAIError):
        return exc
    bounded = from_gateway_limits(exc)
    if bounded is not None:
        return bounded
    upstream = from_upstream(exc)
    if upstream is None and exc.__cause__ is not None:
        upstream = from_upstream(exc.__cause__)
    if upstream is not None:
        return upstream
    if (storage := from_storage(exc)) is not None:
        return storage
    logger.exception("unhandled error", exc_info=exc)
    return OpenAIError(500, "internal error", code="internal_error")


ANTHROPIC_PATH = "/v1/messages"
"""Errors of routes under this path leave in Anthropic's shape, `{"type": "error", "error": {"type", "message"}}`."""

_ANTHROPIC_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


def anthropic_error_body(error: OpenAIError) -> dict[str, Any]:
    """The error as Anthropic's API reports it (its `type` from the status, as Anthropic's SDK maps them)."""
    fallback = "api_error" if error.status >= 500 else "invalid_request_error"
    kind = _ANTHROPIC_TYPE_BY_STATUS.get(error.status, fallback)
    return {"type": "error", "error": {"type": kind, "message": error.message}}


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    param = ".".join(location) or None
    message = first.get("msg", "invalid request")
    return (f"{param}: {message}" if param else message), param


def install_error_handlers(app: FastAPI) -> None:
    """Make FastAPI's own errors (validation, 404, 405) and ours leave in the OpenAI shape (Anthropic's under
    `/v1/messages`)."""

    async def openai_error(request: Request, exc: Exception) -> JSONResponse:
        return as_openai_error(exc).response_for(request.url.path)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        message, param = _validation_message(exc)
        return OpenAIError(400, message, param=param, code="invalid_request").response_for(request.url.path)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error = OpenAIError(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))
        return error.response_for(request.url.path)

    app.add_exception_handler(OpenAIError, openai_error)
    app.add_exception_handler(openai.APIError, openai_error)
    app.add_exception_handler(httpx.HTTPError, openai_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, openai_error)


def session_not_found(session_id: str) -> OpenAIError:
    """The 404 every route gives for a session that does not exist or belongs to another key (so a caller cannot
    even learn that it exists)."""
    return OpenAIError(404, f"session '{session_id}' not found", param="session_id", code="session_not_found")


def too_many_requests(wait: float, message: str, code: str) -> OpenAIError:
    """The 429 of every rate limit, telling the client (in `Retry-After`, whole seconds) when to come back."""
    seconds = max(1, math.ceil(wait))
    return OpenAIError(429, f"{message}: retry in {seconds} s", code=code, headers={"Retry-After": str(seconds)})


def request_timeout(message: str, path: str = "") -> JSONResponse:
    """The 408 for a request that arrived too slowly (the client's fault, so an invalid request), in the shape
    of the route at `path`; the connection is closed after it."""
    error = OpenAIError(
        408, message, code="request_timeout", error_type="invalid_request_error", headers={"Connection": "close"}
    )
    return error.response_for(path)
