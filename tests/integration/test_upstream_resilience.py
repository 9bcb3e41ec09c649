"""Timeouts and bounded retries against a real (fake) OpenAI-compatible upstream on loopback."""

import time

from fastapi.testclient import TestClient

from bench.fake_upstream import UpstreamBehaviour, running_fake_upstream
from graph.resources import ModelHandles
from llm.chat import openai_compatible_chat_model
from tests.conftest import ClientFactory


def upstream_models(base_url: str, *, timeout: float = 10.0, retries: int = 0) -> ModelHandles:
    model = openai_compatible_chat_model(
        base_url=base_url,
        model="fake-upstream",
        api_key=None,
        timeout_seconds=timeout,
        connect_timeout_seconds=timeout,
        max_retries=retries,
    )
    return ModelHandles(chat_model=model, model_name="fake-upstream", backend="openai")


def ask(client: TestClient, session_id: str = "s1"):  # type: ignore[no-untyped-def]
    body = {"messages": [{"role": "user", "content": "hello"}], "session_id": session_id}
    return client.post("/v1/chat/completions", json=body)


def test_a_slow_upstream_times_out_with_504_and_records_nothing(make_client: ClientFactory) -> None:
    with running_fake_upstream(UpstreamBehaviour(response_delay=5.0)) as (base_url, behaviour):
        client = make_client(upstream_models(base_url, timeout=0.5))
        started = time.monotonic()
        response = ask(client)
        elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert response.json()["error"]["code"] == "upstream_timeout"
    assert elapsed < 3.0  # the primary call and the fallback each gave up after 0.5 s, not 5 s
    assert behaviour.chat_calls == 2
    assert client.get("/sessions").json()["sessions"] == []


def test_transient_5xx_is_retried_with_backoff_and_succeeds(make_client: ClientFactory) -> None:
    with running_fake_upstream(UpstreamBehaviour(fail_with=503, fail_times=2)) as (base_url, behaviour):
        client = make_client(upstream_models(base_url, retries=2))
        started = time.monotonic()
        response = ask(client)
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["sage"]["fallback"] is False
    assert behaviour.chat_calls == 3
    assert elapsed > 0.5  # the client waited between attempts (exponential backoff)


def test_429_is_retried_too(make_client: ClientFactory) -> None:
    with running_fake_upstream(UpstreamBehaviour(fail_with=429, fail_times=1)) as (base_url, behaviour):
        response = ask(make_client(upstream_models(base_url, retries=1)))
    assert response.status_code == 200
    assert behaviour.chat_calls == 2


def test_retries_are_bounded_and_a_dead_backend_is_a_5xx(make_client: ClientFactory) -> None:
    with running_fake_upstream(UpstreamBehaviour(fail_with=500)) as (base_url, behaviour):
        client = make_client(upstream_models(base_url, retries=1))
        response = ask(client)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_error"
    assert behaviour.chat_calls == 4  # (1 try + 1 retry) in generate_answer, the same in fallback; then it stops
    assert client.get("/sessions").json()["sessions"] == []
