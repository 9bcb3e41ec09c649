"""Every Chat Completions request field, sent alone, is seen by the upstream or refused with a 400 naming it.

The field list is the `openai` SDK's own (`completion_create_params`), so a field a new SDK adds fails this test
until the gateway's table (`api.protocols.openai_chat_fields`) says what happens to it. The chat backend is the
real langchain-openai client against the fake OpenAI-compatible upstream, so "seen" means on the wire.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openai.types.chat import completion_create_params

from api.protocols.openai_chat_fields import CHAT_COMPLETION_FIELDS
from bench.fake_upstream import UpstreamBehaviour, running_fake_upstream
from llm.chat import openai_compatible_chat_model
from tests.conftest import ClientFactory
from tests.fakes import fake_models

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}

VALUES: dict[str, Any] = {
    "messages": [{"role": "user", "content": "hi"}],
    "model": "fake-model",
    "stream": True,
    "stream_options": {"include_usage": True},
    "store": False,
    "n": 2,
    "temperature": 0.3,
    "top_p": 0.9,
    "max_tokens": 5,
    "max_completion_tokens": 6,
    "stop": ["zzz"],
    "seed": 7,
    "user": "end-user-1",
    "frequency_penalty": 0.5,
    "presence_penalty": 0.25,
    "logit_bias": {"50256": -100},
    "logprobs": True,
    "top_logprobs": 2,
    "tools": [TOOL],
    "tool_choice": "auto",
    "parallel_tool_calls": False,
    "functions": [{"name": "get_weather", "parameters": {"type": "object"}}],
    "function_call": "auto",
    "response_format": {"type": "json_object"},
    "metadata": {"team": "a"},
    "service_tier": "auto",
    "reasoning_effort": "low",
    "verbosity": "low",
    "prediction": {"type": "content", "content": "hello"},
    "prompt_cache_key": "k1",
    "prompt_cache_retention": "24h",
    "prompt_cache_options": {"mode": "auto"},
    "safety_identifier": "user-hash",
    "modalities": ["text"],
    "audio": {"voice": "alloy", "format": "mp3"},
    "web_search_options": {},
    "moderation": {"mode": "auto"},
}
"""A valid value for each field (a field that needs another, sent alone, must be refused by name)."""

ON_THE_WIRE = {
    "max_tokens": ("max_tokens", "max_completion_tokens"),
    "max_completion_tokens": ("max_tokens", "max_completion_tokens"),
}
"""Fields langchain-openai sends under the other of OpenAI's two names for the same bound."""


def sdk_fields() -> set[str]:
    return {*completion_create_params.CompletionCreateParamsBase.__annotations__, "stream"}


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, UpstreamBehaviour]]:
    with running_fake_upstream() as served:
        yield served


@pytest.fixture
def gateway(make_client: ClientFactory, upstream: tuple[str, UpstreamBehaviour]) -> TestClient:
    chat = openai_compatible_chat_model(
        base_url=upstream[0],
        model="fake-upstream",
        api_key=None,
        timeout_seconds=10,
        connect_timeout_seconds=2,
        max_retries=0,
    )
    return make_client(fake_models(chat))  # type: ignore[arg-type]


def test_the_table_covers_every_sdk_field_and_nothing_else() -> None:
    assert set(CHAT_COMPLETION_FIELDS) == sdk_fields()
    assert set(VALUES) == sdk_fields()


@pytest.mark.parametrize("name", sorted(sdk_fields()))
def test_each_field_alone_is_seen_upstream_or_refused_by_name(
    gateway: TestClient, upstream: tuple[str, UpstreamBehaviour], name: str
) -> None:
    behaviour = upstream[1]
    behaviour.last_request, behaviour.chat_calls = None, 0
    body = {"messages": VALUES["messages"], name: VALUES[name]}
    response = gateway.post("/v1/chat/completions", json=body)
    rule = CHAT_COMPLETION_FIELDS[name]
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["param"] == name, error
        assert name in error["message"]
        assert behaviour.chat_calls == 0
        return
    assert rule.handling != "refused", f"{name} is declared refused but was accepted"
    assert response.status_code == 200, response.text
    sent = behaviour.last_request or {}
    if name == "n":
        assert behaviour.chat_calls == 2 and len(response.json()["choices"]) == 2
    elif name == "store":
        assert response.json()["session_id"] is None and "X-Session-Id" not in response.headers
        assert gateway.get("/sessions").json()["sessions"] == []
    elif name in ("messages", "model"):
        assert sent["messages"][-1]["content"] == "hi" and sent["model"] == "fake-upstream"
    else:
        keys = ON_THE_WIRE.get(name, (name,))
        assert any(sent.get(key) == VALUES[name] for key in keys), (name, sent)


def test_unknown_fields_are_refused_by_name(gateway: TestClient) -> None:
    response = gateway.post("/v1/chat/completions", json={"messages": VALUES["messages"], "temprature": 0.2})
    assert response.status_code == 400
    assert response.json()["error"] | {"message": ""} == {
        "message": "",
        "type": "invalid_request_error",
        "param": "temprature",
        "code": "unknown_parameter",
    }


def test_capabilities_the_operator_declares_absent_are_refused(
    make_client: ClientFactory, settings: Any, upstream: tuple[str, UpstreamBehaviour]
) -> None:
    declared = settings.model_copy(update={"chat_tools": False, "chat_logprobs": False, "chat_json_schema": False})
    client = make_client(app_settings=declared)
    for name in ("tools", "functions", "logprobs", "response_format"):
        response = client.post("/v1/chat/completions", json={"messages": VALUES["messages"], name: VALUES[name]})
        assert response.status_code == 400 and response.json()["error"]["param"] == name, response.text


def test_legacy_function_calling_round_trips(gateway: TestClient) -> None:
    functions = [{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    called = gateway.post("/v1/chat/completions", json={"messages": ask, "functions": functions}).json()
    [choice] = called["choices"]
    assert choice["finish_reason"] == "function_call" and choice["message"]["content"] is None
    call = choice["message"]["function_call"]
    assert call["name"] == "get_weather" and '"Paris"' in call["arguments"]
    result = [*ask, {"role": "assistant", "content": None, "function_call": call}]
    result.append({"role": "function", "name": "get_weather", "content": "sunny"})
    answered = gateway.post("/v1/chat/completions", json={"messages": result, "functions": functions}).json()
    assert answered["choices"][0]["message"]["content"] == "The tool says: sunny"
    streamed = gateway.post("/v1/chat/completions", json={"messages": ask, "functions": functions, "stream": True}).text
    frames = [json.loads(line[6:]) for line in streamed.splitlines() if line.startswith("data: {")]
    pieces = [f["choices"][0]["delta"].get("function_call") for f in frames if f["choices"]]
    assert "".join(p.get("arguments", "") for p in pieces if p) == call["arguments"]
    assert frames[-1]["choices"][0]["finish_reason"] == "function_call"
