"""Prometheus metrics: one registry per app, so several apps in one process (tests) never share counters."""

import time
from collections.abc import Callable
from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.turn_result import TurnFacts
from api.usage import TokenUsage

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_BREAKER_STATES = ("closed", "open", "half_open")


def _is_state(state: Callable[[], str], name: str) -> float:
    return float(state() == name)


class GatewayMetrics:
    """Requests, latencies, tokens, time to first token, fallbacks, index size and breaker state."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sage_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sage_http_request_duration_seconds",
            "Time to the end of the response (streams included).",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tokens = Counter(
            "sage_tokens",
            "Tokens of answered turns, as the backend reported them.",
            ["direction"],
            registry=self.registry,
        )
        self.ttft = Histogram(
            "sage_time_to_first_token_seconds",
            "Streamed turns: request start to the first answer token.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.turns = Counter("sage_turns", "Answered turns by route.", ["route"], registry=self.registry)
        self.fallbacks = Counter("sage_fallback_turns", "Turns answered by the fallback node.", registry=self.registry)
        self.workflow_designs = Counter(
            "sage_workflow_designs",
            "Pipelines designed (in chat turns and by /v1/workflows/generate), by who designed them.",
            ["source"],
            registry=self.registry,
        )
        self.index_chunks = Gauge("sage_index_chunks", "Chunks in the live RAG index.", registry=self.registry)
        self.breaker = Gauge(
            "sage_circuit_breaker_state",
            "1 for the chat backend breaker's current state.",
            ["state"],
            registry=self.registry,
        )

    def watch_index(self, chunks: Callable[[], int]) -> None:
        self.index_chunks.set_function(lambda: float(chunks()))

    def watch_breaker(self, state: Callable[[], str]) -> None:
        for name in _BREAKER_STATES:
            self.breaker.labels(state=name).set_function(partial(_is_state, state, name))

    def turn_answered(self, usage: TokenUsage, facts: TurnFacts) -> None:
        self.tokens.labels(direction="prompt").inc(usage.prompt_tokens)
        self.tokens.labels(direction="completion").inc(usage.completion_tokens)
        if facts.fallback:
            self.fallbacks.inc()
        self.turns.labels(route=facts.route or "casual").inc()
        if facts.route == "workflow" and facts.workflow:
            self.workflow_designed(facts.workflow["source"])

    def workflow_designed(self, source: str) -> None:
        self.workflow_designs.labels(source=source).inc()

    def first_token(self, seconds: float) -> None:
        self.ttft.observe(seconds)


def _route_label(scope: Scope) -> str:
    """The route's template (`/sessions/{session_id}`), never the raw path: bounded label cardinality."""
    route: BaseRoute | None = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class MetricsMiddleware:
    """Counts every HTTP request when its response ends (for a stream, after the last frame)."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = _route_label(scope)
            self.metrics.requests.labels(method=scope["method"], route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=scope["method"], route=route).observe(time.perf_counter() - start)
