"""A circuit breaker for the chat backend: after repeated failures, stop waiting on it for a while.

While the breaker is open, `generate_answer` fails at once instead of spending the client's time on timeouts and
retries, so the graph's error handler sends the turn to `fallback`. After `reset_seconds` one turn is let
through (half-open): its success closes the breaker, its failure opens it again.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import httpx
import openai

from llm.chat import MalformedUpstreamError

BreakerState = Literal["closed", "open", "half_open"]

_BACKEND_FAILURES = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,
    openai.RateLimitError,
    httpx.TransportError,
    MalformedUpstreamError,
    TimeoutError,
    ConnectionError,
)


class CircuitOpenError(RuntimeError):
    """The breaker is open: the backend failed too often recently, so it was not called."""


def is_backend_failure(exc: BaseException) -> bool:
    """Failures that say the backend is unwell (unreachable, slow, 5xx, overloaded), not that a request was bad."""
    if isinstance(exc, _BACKEND_FAILURES):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and status >= 500


class CircuitBreaker:
    """Counts consecutive backend failures; `failure_threshold` of them open the breaker for `reset_seconds`."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_seconds: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.reset_seconds else "open"

    def check(self) -> None:
        """Raise `CircuitOpenError` unless a call may go to the backend now (one trial at a time when half-open)."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return
        raise CircuitOpenError("the chat backend is failing; the circuit breaker is open")

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around one backend call: refuse it while open, and record how it ended (a cancelled trial, too, so the
        breaker is never left waiting for it)."""
        self.check()
        try:
            yield
        except BaseException as exc:
            self.record_failure(exc)
            raise
        self.record_success()

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._trial_running = False

    def record_failure(self, exc: BaseException) -> None:
        """Count `exc` if it is the backend's fault; a failed trial reopens the breaker at once."""
        if not is_backend_failure(exc):
            self._trial_running = False
            return
        self.failures += 1
        if self._trial_running or self.failures >= self.failure_threshold:
            self.opened_at = self.clock()
        self._trial_running = False
