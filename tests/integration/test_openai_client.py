"""The gateway as a real uvicorn server on loopback, driven by the official `openai` client.

The chat backend is the fake OpenAI-compatible upstream (bench/fake_upstream.py), so the whole remote path is
real: langchain-openai, HTTP streaming, upstream token usage.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from bench.fake_upstream import DEFAULT_ANSWER, UpstreamBehaviour, running_fake_upstream
from tests.integration.servers import running_gateway


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, UpstreamBehaviour]]:
    with running_fake_upstream(UpstreamBehaviour(delay_per_token=0.005)) as served:
        yield served


def gateway_env(upstream_url: str) -> dict[str, str]:
    return {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_CHAT_MODEL": "fake-upstream", "SAGE_CHAT_MAX_RETRIES": "0"}


@pytest.fixture(scope="module")
def gateway(upstream: tuple[str, UpstreamBehaviour], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_gateway(gateway_env(upstream[0]), tmp_path_factory.mktemp("gateway")) as base_url:
        yield base_url


@pytest.fixture
def client(gateway: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway}/v1", api_key="unused", max_retries=0)


def test_non_stream_completion(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="fake-upstream", messages=[{"role": "user", "content": "What is the capital of France?"}]
    )
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == DEFAULT_ANSWER
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(DEFAULT_ANSWER.split())  # the upstream's count, not ours
    assert completion.model_extra and completion.model_extra["session_id"]


def test_stream_with_include_usage_parses_with_the_sdk(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="sage-default",
        messages=[{"role": "user", "content": "Tell me something."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == DEFAULT_ANSWER
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == len(DEFAULT_ANSWER.split())  # token by token, as the upstream streamed
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(DEFAULT_ANSWER.split())
    assert len({c.id for c in chunks}) == 1


def test_session_continuity_across_two_requests(client: openai.OpenAI, gateway: str) -> None:
    first = client.chat.completions.create(model="sage-default", messages=[{"role": "user", "content": "one"}])
    session_id = first.model_extra["session_id"]
    client.chat.completions.create(
        model="sage-default", messages=[{"role": "user", "content": "two"}], extra_body={"session_id": session_id}
    )
    messages = httpx.get(f"{gateway}/sessions/{session_id}").json()["messages"]
    assert [m["content"] for m in messages] == ["one", DEFAULT_ANSWER, "two", DEFAULT_ANSWER]


def test_bad_request_is_a_typed_sdk_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="sage-default", messages=[])
    assert raised.value.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_restart_keeps_the_session(upstream: tuple[str, UpstreamBehaviour], tmp_path: Path) -> None:
    env = gateway_env(upstream[0])
    with running_gateway(env, tmp_path) as base_url:
        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
        client.chat.completions.create(
            model="sage-default",
            messages=[{"role": "user", "content": "remember me"}],
            extra_body={"session_id": "kept"},
        )
    with running_gateway(env, tmp_path) as base_url:
        session = httpx.get(f"{base_url}/sessions/kept").json()
        assert [m["content"] for m in session["messages"]] == ["remember me", DEFAULT_ANSWER]
        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
        client.chat.completions.create(
            model="sage-default", messages=[{"role": "user", "content": "again"}], extra_body={"session_id": "kept"}
        )
        assert httpx.get(f"{base_url}/sessions/kept").json()["metadata"]["title"] == "remember me"
        assert len(httpx.get(f"{base_url}/sessions/kept").json()["messages"]) == 4


@pytest.mark.parametrize(("status", "expected"), [(500, openai.InternalServerError), (503, openai.InternalServerError)])
def test_failing_upstream_is_a_5xx_never_a_200(
    upstream: tuple[str, UpstreamBehaviour], tmp_path: Path, status: int, expected: type[Exception]
) -> None:
    behaviour = upstream[1]
    with running_gateway(gateway_env(upstream[0]), tmp_path) as base_url:
        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
        behaviour.fail_with = status
        try:
            for stream in (False, True):
                with pytest.raises(expected) as raised:
                    client.chat.completions.create(
                        model="sage-default", messages=[{"role": "user", "content": "x"}], stream=stream
                    )
                assert raised.value.status_code == 502  # type: ignore[attr-defined]
        finally:
            behaviour.fail_with = None
        assert httpx.get(f"{base_url}/sessions").json()["stats"]["total_sessions"] == 0


def test_unreachable_upstream_is_503(tmp_path: Path) -> None:
    from bench.fake_upstream import free_port

    env = gateway_env(f"http://127.0.0.1:{free_port()}/v1")
    with running_gateway(env, tmp_path) as base_url:
        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(model="sage-default", messages=[{"role": "user", "content": "x"}])
        assert raised.value.status_code == 503


def test_sampling_parameters_and_system_prompt_reach_the_backend(
    client: openai.OpenAI, upstream: tuple[str, UpstreamBehaviour]
) -> None:
    client.chat.completions.create(
        model="sage-default",
        messages=[{"role": "system", "content": "Answer like a pirate."}, {"role": "user", "content": "hello"}],
        temperature=0.3,
        top_p=0.9,
        max_tokens=17,
        stop=["END"],
        seed=7,
        user="ada",
    )
    sent = upstream[1].last_request
    assert sent is not None
    assert (
        sent["temperature"],
        sent["top_p"],
        sent["max_tokens"] if "max_tokens" in sent else sent["max_completion_tokens"],
    ) == (
        0.3,
        0.9,
        17,
    )
    assert sent["stop"] == ["END"] and sent["seed"] == 7 and sent["user"] == "ada"
    assert sent["messages"][0]["role"] == "system" and "Answer like a pirate." in sent["messages"][0]["content"]
    assert sent["messages"][-1] == {"role": "user", "content": "hello"}


def sse_events(response: httpx.Response) -> list[tuple[str | None, str]]:
    """(event name, data) of each SSE event of a streamed response, parsed by the SSE rules."""
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            events.append((name, "\n".join(data)))
            name, data = None, []
    return events


def test_steps_arrive_as_named_events_only_when_asked(client: openai.OpenAI, gateway: str) -> None:
    # Without the option the official SDK parses every frame of the stream (it would choke on a named event).
    plain = client.chat.completions.create(
        model="sage-default", messages=[{"role": "user", "content": "Hi there"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in plain if c.choices) == DEFAULT_ANSWER
    body = {"model": "sage-default", "messages": [{"role": "user", "content": "Hi there"}], "stream": True}
    with httpx.stream("POST", f"{gateway}/v1/chat/completions", json=body, timeout=30) as response:
        assert {name for name, _ in sse_events(response)} == {None}

    with httpx.stream(
        "POST", f"{gateway}/v1/chat/completions", json={**body, "sage": {"steps": True}}, timeout=30
    ) as response:
        events = sse_events(response)
    steps = [json.loads(data) for name, data in events if name == "sage.step"]
    chunks = [data for name, data in events if name is None]
    assert chunks[-1] == "[DONE]"
    parsed = [openai.types.chat.ChatCompletionChunk.model_validate_json(data) for data in chunks[:-1]]
    route = next(c.model_extra["sage"]["route"] for c in parsed if c.model_extra and c.model_extra.get("sage"))
    assert [s["node"] for s in steps] == route  # one step per node that ran, in order
    assert route[:2] == ["load_memory", "classify_intent"] and route[-1] == "store_memory"
    assert steps[1]["intent"] and all(s["elapsed_ms"] >= 0 for s in steps)
    assert "".join(c.choices[0].delta.content or "" for c in parsed if c.choices) == DEFAULT_ANSWER
    first_token = next(
        i
        for i, (name, data) in enumerate(events)
        if name is None
        and data != "[DONE]"
        and (json.loads(data)["choices"] or [{}])[0].get("delta", {}).get("content")
    )
    assert any(name == "sage.step" for name, _ in events[:first_token])  # progress arrives before the answer
