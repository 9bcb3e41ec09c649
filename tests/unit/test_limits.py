"""Each limit: body size (declared and chunked), the body deadline, message count and length, max_tokens, the
per-key rate limit and the per-address limit of the routes that need no key."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from api.limits import BodyTimeoutMiddleware
from api.protocols.openai_chat import MAX_MESSAGES
from api.protocols.openai_chat_messages import MAX_MESSAGE_CHARS
from api.token_bucket import RateLimiter
from config.settings import Settings
from tests.conftest import ClientFactory


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def snapshot(client: TestClient, headers: dict[str, str] | None = None) -> object:
    listed = client.get("/sessions", headers=headers).json()
    return listed, [client.get(f"/sessions/{s['id']}", headers=headers).json() for s in listed["sessions"]]


@pytest.fixture
def small_body(make_client: ClientFactory, tmp_path: Path) -> TestClient:
    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_MAX_BODY_BYTES=2048))
    client.post("/v1/chat/completions", json={"messages": [user("keep me")], "session_id": "s1"})
    return client


def test_a_declared_oversized_body_is_413_and_changes_nothing(small_body: TestClient) -> None:
    before = snapshot(small_body)
    response = small_body.post("/v1/chat/completions", json={"messages": [user("x" * 5000)], "session_id": "s1"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert snapshot(small_body) == before


def test_a_chunked_oversized_body_is_413_too(small_body: TestClient) -> None:
    before = snapshot(small_body)

    def chunks() -> Iterator[bytes]:
        yield b'{"session_id": "s1", "messages": [{"role": "user", "content": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}]}'

    response = small_body.post("/v1/chat/completions", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413
    assert snapshot(small_body) == before


def test_a_body_under_the_limit_passes(small_body: TestClient) -> None:
    response = small_body.post("/v1/chat/completions", json={"messages": [user("y" * 1000)], "session_id": "s1"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [user("hi")] * (MAX_MESSAGES + 1)}, "messages"),
        ({"messages": [user("z" * (MAX_MESSAGE_CHARS + 1))]}, "messages.0.content"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "z" * (MAX_MESSAGE_CHARS + 1)}]}]}, None),
        ({"messages": [user("hi")], "max_tokens": 10**6}, "max_tokens"),
        ({"messages": [user("hi")], "max_completion_tokens": 10**6}, "max_completion_tokens"),
    ],
)
def test_message_count_length_and_max_tokens_are_bounded(client: TestClient, body: dict, param: str | None) -> None:
    before = snapshot(client)
    response = client.post("/v1/chat/completions", json={**body, "session_id": "s1"})
    assert response.status_code == 400, response.text
    if param:
        assert response.json()["error"]["param"].startswith(param)
    assert snapshot(client) == before


def test_rate_limit_is_per_key_with_retry_after(make_client: ClientFactory, tmp_path: Path) -> None:
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path,
        SAGE_GATEWAY_API_KEY="key-a,key-b",
        SAGE_GATEWAY_RATE_LIMIT_PER_MINUTE=2,
    )
    client = make_client(app_settings=settings)
    a, b = {"Authorization": "Bearer key-a"}, {"Authorization": "Bearer key-b"}
    assert [client.get("/v1/models", headers=a).status_code for _ in range(2)] == [200, 200]
    refused = client.post("/v1/chat/completions", json={"messages": [user("hi")]}, headers=a)
    assert refused.status_code == 429
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert client.get("/sessions", headers=a).json()["error"]["code"] == "rate_limit_exceeded"
    assert client.get("/v1/models", headers=b).status_code == 200  # another key has its own bucket
    assert client.get("/health").status_code == 200  # probes are not limited


def test_token_bucket_refills_at_the_configured_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert limiter.acquire("k", now=0) == 0
    assert limiter.acquire("k", now=0) == 0
    assert limiter.acquire("k", now=0) == pytest.approx(1.0)
    assert limiter.acquire("k", now=0.5) == pytest.approx(0.5)
    assert limiter.acquire("k", now=1.0) == 0
    assert not RateLimiter(per_minute=0).enabled


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = RateLimiter(per_minute=10, max_callers=100)
    for n in range(1000):
        limiter.acquire(f"caller-{n}", now=0)
    assert len(limiter._buckets) == 100


def test_waiting_time_is_read_without_taking_a_request_or_adding_a_caller() -> None:
    limiter = RateLimiter(per_minute=60, burst=1)
    assert limiter.wait("new", now=0) == 0
    assert "new" not in limiter._buckets
    assert limiter.acquire("k", now=0) == 0
    assert limiter.wait("k", now=0) == pytest.approx(1.0)
    assert limiter.wait("k", now=0.25) == pytest.approx(0.75)
    assert limiter.acquire("k", now=1.0) == 0  # the waits took nothing


def anonymous_limited(make_client: ClientFactory, tmp_path: Path, *, keys: bool = True) -> TestClient:
    extra = {"SAGE_GATEWAY_API_KEY": "key-a"} if keys else {}
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE=3, **extra)
    return make_client(app_settings=settings)


@pytest.mark.parametrize("path", ["/health", "/ready", "/", "/ui/", "/openapi.json", "/no-such-page"])
def test_routes_without_a_key_are_limited_per_address(make_client: ClientFactory, tmp_path: Path, path: str) -> None:
    client = anonymous_limited(make_client, tmp_path)
    assert 429 not in [client.get(path).status_code for _ in range(3)]
    refused = client.get(path)
    assert refused.status_code == 429
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    assert TestClient(client.app, client=("192.0.2.8", 40000)).get(path).status_code != 429  # another address


def test_keyed_routes_do_not_spend_the_anonymous_budget(make_client: ClientFactory, tmp_path: Path) -> None:
    client = anonymous_limited(make_client, tmp_path)
    headers = {"Authorization": "Bearer key-a"}
    assert {client.get("/v1/models", headers=headers).status_code for _ in range(5)} == {200}
    assert {client.get("/sessions", headers=headers).status_code for _ in range(5)} == {200}
    assert client.get("/health").status_code == 200


def test_without_keys_the_anonymous_limit_is_off(make_client: ClientFactory, tmp_path: Path) -> None:
    client = anonymous_limited(make_client, tmp_path, keys=False)
    assert {client.get("/health").status_code for _ in range(6)} == {200}


async def call_with_body_timeout(receive: Callable[[], Awaitable[Message]], seconds: float) -> list[Message]:
    """Run an app that reads the whole body and then waits for a disconnect, behind the body deadline."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        assert (await receive())["type"] == "http.disconnect"

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyTimeoutMiddleware(app, seconds)
    await asyncio.wait_for(middleware({"type": "http", "method": "POST"}, receive, send), timeout=5)
    return sent


async def test_a_body_that_does_not_arrive_in_time_is_408() -> None:
    async def trickling() -> Message:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b"x", "more_body": True}

    started = time.monotonic()
    sent = await call_with_body_timeout(trickling, seconds=0.3)
    assert 0.3 <= time.monotonic() - started < 1
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"] == {
        "message": "the request body did not arrive within 0.3 s",
        "type": "invalid_request_error",
        "param": None,
        "code": "request_timeout",
    }


async def test_after_the_body_nothing_is_bounded() -> None:
    messages: list[Message] = [
        {"type": "http.request", "body": b"{}", "more_body": False},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        if len(messages) == 1:
            await asyncio.sleep(0.5)  # the client stays past the deadline, as a stream's reader does
        return messages.pop(0)

    sent = await call_with_body_timeout(receive, seconds=0.2)
    assert [message.get("status") for message in sent] == [200, None]
