"""The raw embedded llama.cpp server: real tool calls, schema-constrained JSON and logprobs from the packaged model."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from llm.gguf import read_gguf_metadata
from llm.local_server import (
    PACKAGED_MODEL_NAME,
    LocalModelServer,
    assemble_packaged_model,
    fenced_tool_call_template,
    start_local_server,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
WEATHER_QUESTION = [{"role": "user", "content": "What's the weather in Paris?"}]
PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return assemble_packaged_model(tmp_path_factory.mktemp("gateway-data") / "models")


@pytest.fixture(scope="module")
def server(model_path: Path) -> Iterator[LocalModelServer]:
    local = start_local_server(model_path, context_tokens=2048, threads=2, parallel=1)
    try:
        yield local
    finally:
        local.close()


def chat(server: LocalModelServer, **body: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}/chat/completions",
        json={"model": PACKAGED_MODEL_NAME, "temperature": 0, "max_tokens": 40, **body},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_only_the_qwen_template_is_rewritten(model_path: Path) -> None:
    template = fenced_tool_call_template(read_gguf_metadata(model_path)["tokenizer.chat_template"])
    assert template is not None and "<tool_call>" not in template and "```json" in template
    assert fenced_tool_call_template("{% for m in messages %}{{ m.content }}{% endfor %}") is None


def test_required_tool_choice_returns_a_parsed_get_weather_call(server: LocalModelServer) -> None:
    choice = chat(server, messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], tool_choice="required")["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"]
    assert call["function"]["name"] == "get_weather"
    assert "paris" in json.loads(call["function"]["arguments"])["city"].lower()


def test_streamed_tool_call_arrives_as_argument_deltas(server: LocalModelServer) -> None:
    names, arguments, finish_reasons = [], "", []
    with httpx.stream(
        "POST",
        f"{server.base_url}/chat/completions",
        json={
            "model": PACKAGED_MODEL_NAME,
            "temperature": 0,
            "max_tokens": 40,
            "stream": True,
            "messages": WEATHER_QUESTION,
            "tools": [WEATHER_TOOL],
        },
        timeout=120,
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            for choice in json.loads(line.removeprefix("data: "))["choices"]:
                finish_reasons.append(choice["finish_reason"])
                for delta in choice["delta"].get("tool_calls") or []:
                    assert delta["index"] == 0
                    names += [delta["function"]["name"]] if "name" in delta["function"] else []
                    arguments += delta["function"].get("arguments", "")
    assert names == ["get_weather"]
    assert "paris" in json.loads(arguments)["city"].lower()
    assert finish_reasons[-1] == "tool_calls"


def test_tool_choice_none_answers_in_text(server: LocalModelServer) -> None:
    choice = chat(server, messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], tool_choice="none")["choices"][0]
    assert choice["finish_reason"] in {"stop", "length"}
    assert not choice["message"].get("tool_calls") and choice["message"]["content"]


def test_json_schema_output_parses_and_matches(server: LocalModelServer) -> None:
    body = chat(
        server,
        messages=[{"role": "user", "content": "Tell me a joke."}],  # nothing in the prompt asks for this shape
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "strict": True, "schema": PERSON_SCHEMA},
        },
    )
    person = json.loads(body["choices"][0]["message"]["content"])
    assert set(person) == {"name", "age"}
    assert isinstance(person["name"], str) and type(person["age"]) is int


def test_logprobs_report_each_token_with_its_alternatives(server: LocalModelServer) -> None:
    body = chat(server, messages=[{"role": "user", "content": "Say hi"}], logprobs=True, top_logprobs=2, max_tokens=3)
    tokens = body["choices"][0]["logprobs"]["content"]
    assert len(tokens) == body["usage"]["completion_tokens"] == 3
    assert "".join(token["token"] for token in tokens) == body["choices"][0]["message"]["content"]
    for token in tokens:
        assert token["logprob"] <= 0 and isinstance(token["bytes"], list)
        assert len(token["top_logprobs"]) == 2
        assert token["top_logprobs"][0]["logprob"] >= token["top_logprobs"][1]["logprob"]
