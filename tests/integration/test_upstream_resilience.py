"""Timeouts and bounded retries against a real (fake) OpenAI-compatible upstream on loopback."""

import json
import time

import pytest
from fastapi.testclient import TestClient

from bench.fake_upstream import Malformation, UpstreamBehaviour, running_fake_upstream
from config.settings import Settings
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


SECRET = "sk-live-7f3a9 at http://10.0.0.7:8000/internal"


@pytest.mark.parametrize(("status", "expected"), [(400, 400), (401, 502), (500, 502)])
def test_what_a_failing_upstream_says_never_reaches_the_client(
    make_client: ClientFactory, status: int, expected: int
) -> None:
    with running_fake_upstream(UpstreamBehaviour(fail_with=status, error_message=SECRET)) as (base_url, _):
        client = make_client(upstream_models(base_url))
        plain = ask(client, "plain")
        body = {
            "messages": [{"role": "user", "content": "hello"}],
            "session_id": "streamed",
            "stream": True,
            "sage": {"steps": True},  # step events name the failed node: they must not carry its text either
        }
        streamed = client.post("/v1/chat/completions", json=body)
    assert plain.status_code == expected
    assert f"HTTP {status}" in plain.json()["error"]["message"]  # the status class is told, the body is not
    assert "sage.step" in streamed.text
    for response in (plain, streamed):
        assert "sk-live" not in response.text and "10.0.0.7" not in response.text


@pytest.mark.parametrize(
    ("malformed", "stream"), [("not_json", False), ("not_json", True), ("empty_choices", False), ("cut_stream", True)]
)
def test_a_malformed_upstream_answer_is_a_502_and_nothing_is_stored(
    make_client: ClientFactory, malformed: Malformation, stream: bool
) -> None:
    with running_fake_upstream(UpstreamBehaviour(malformed=malformed)) as (base_url, _):
        client = make_client(upstream_models(base_url))
        body = {"messages": [{"role": "user", "content": "hello"}], "session_id": "broken", "stream": stream}
        response = client.post("/v1/chat/completions", json=body)
    if response.headers["content-type"].startswith("text/event-stream"):  # the failure came after the first token
        frames = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data: {")]
        assert frames[-1]["error"]["code"] in ("upstream_malformed", "upstream_error")
        assert all(frame.get("choices", [{}])[0].get("finish_reason") is None for frame in frames[:-1])
    else:
        assert response.status_code == 502, response.text
        assert response.json()["error"]["code"] == "upstream_malformed"
    assert client.get("/sessions/broken").status_code == 404  # a cut or unreadable answer is not kept


def test_a_hanging_upstream_is_bounded_by_one_turn_deadline(make_client: ClientFactory, settings: Settings) -> None:
    one_second = settings.model_copy(update={"turn_timeout_seconds": 1.0})
    with running_fake_upstream(UpstreamBehaviour(response_delay=4.0)) as (base_url, behaviour):
        client = make_client(upstream_models(base_url, timeout=3.0), one_second)
        started = time.monotonic()
        response = ask(client)
        elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert response.json()["error"]["code"] == "turn_timeout"
    assert elapsed < 2.5  # not the primary's 3 s and then the fallback's 3 s
    assert behaviour.chat_calls == 1
    assert client.get("/sessions").json()["sessions"] == []
