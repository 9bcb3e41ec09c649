"""The fake upstream's answers (bench/fake_upstream.py): tool calls with arguments valid for their schema and taken
from the question, JSON for `response_format`, an answer from a tool's result, `n` choices; and the same over HTTP,
streamed and not, in OpenAI's shapes."""

import json
from typing import Any

import httpx
import jsonschema
import pytest

from bench.fake_upstream import DEFAULT_ANSWER, replies_for, running_fake_upstream
from bench.schema_instances import Instances, json_object_for, listed_keys, named_value

WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
        },
        "required": ["city"],
    },
}
ADD = {
    "name": "add",
    "description": "Add two numbers",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
}
TOOLS = [{"type": "function", "function": WEATHER}, {"type": "function", "function": ADD}]

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {}},
    {"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 3},
    {"type": "number", "exclusiveMinimum": 5, "exclusiveMaximum": 6},
    {"type": "integer", "minimum": 1.5},
    {"type": "string", "minLength": 40, "maxLength": 41},
    {"type": "string", "maxLength": 3},
    {"type": "string", "format": "email"},
    {"type": "string", "format": "date-time"},
    {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3},
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}]},
    {"type": ["string", "null"]},
    {"anyOf": [{"type": "null"}, {"type": "number"}]},
    {"allOf": [{"$ref": "#/$defs/base"}, {"properties": {"extra": {"type": "boolean"}}, "required": ["extra"]}]},
    {
        "type": "object",
        "properties": {"person": {"$ref": "#/$defs/base"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["person", "tags"],
        "additionalProperties": False,
    },
    {"const": "fixed"},
]
DEFS = {"base": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: json.dumps(s)[:60])
@pytest.mark.parametrize("hint", ["", "Tell Alice and Bob about 3 and 4.5", "name 'Zoë', age 42, flag false"])
def test_instances_are_valid_for_their_schema(schema: dict[str, Any], hint: str) -> None:
    schema = {**schema, "$defs": DEFS}
    jsonschema.validate(Instances(hint).value(schema), schema)


def test_values_come_from_the_message() -> None:
    made = Instances("create a user with username alice, email alice@example.com, age 30 and active: no").value(
        {
            "type": "object",
            "properties": {
                "username": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "age": {"type": "integer"},
                "active": {"type": "boolean"},
            },
        }
    )
    assert made == {"username": "alice", "email": "alice@example.com", "age": 30, "active": False}
    assert Instances("add 3 and 4").value(ADD["parameters"]) == {"a": 3, "b": 4}
    assert Instances("weather in Paris in fahrenheit")._member(["celsius", "fahrenheit"], "unit") == "fahrenheit"
    assert Instances("cities Paris and London").value({"type": "array", "items": {"type": "string"}}) == [
        "Paris",
        "London",
    ]
    assert named_value("the user_id is 7", "user_id") == "7" and named_value("user id: 7", "user_id") == "7"
    assert named_value("Return 'setup' and 'punchline' keys", "setup") is None
    assert listed_keys("JSON with keys name, age and city") == ["name", "age", "city"]


def test_json_object_follows_a_schema_or_example_in_the_prompt() -> None:
    schema = '{"type": "object", "properties": {"title": {"type": "string"}, "year": {"type": "integer"}}}'
    assert set(json_object_for("A film from 1999", [f"Answer as JSON matching {schema}", "A film from 1999"])) == {
        "title",
        "year",
    }
    shaped = json_object_for("x", ['Answer like {"city": "...", "population": 0, "tags": ["..."]}'])
    assert isinstance(shaped["population"], int) and isinstance(shaped["tags"], list) and "city" in shaped
    assert set(json_object_for("Return 'setup' and 'punchline'")) == {"setup", "punchline"}
    assert json_object_for("just JSON please", []).keys() == {"answer"}


def _one(body: dict[str, Any]) -> Any:
    return replies_for({"messages": [{"role": "user", "content": "What's the weather in Paris?"}], **body}, "text")


def test_tool_choice_decides_the_call() -> None:
    [reply] = _one({"tools": TOOLS})
    assert reply.finish_reason == "tool_calls" and reply.content is None
    assert [json.loads(c["function"]["arguments"]) for c in reply.tool_calls] == [
        {"city": "Paris", "unit": "celsius", "days": 1}
    ]
    [named] = _one({"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "add"}}})
    assert named.tool_calls[0]["function"]["name"] == "add"
    [declined] = _one({"tools": TOOLS, "tool_choice": "none"})
    assert declined.content == "text" and declined.tool_calls is None
    [legacy] = _one({"functions": [WEATHER]})
    assert legacy.finish_reason == "function_call" and legacy.function_call["name"] == "get_weather"


def test_parallel_calls_only_when_allowed() -> None:
    question = {"role": "user", "content": "What's the weather in Paris and London?"}
    [both] = replies_for({"messages": [question], "tools": TOOLS}, "")
    assert [json.loads(c["function"]["arguments"])["city"] for c in both.tool_calls] == ["Paris", "London"]
    [one] = replies_for({"messages": [question], "tools": TOOLS, "parallel_tool_calls": False}, "")
    assert len(one.tool_calls) == 1


def test_a_tool_result_is_answered_not_called_again() -> None:
    messages = [
        {"role": "user", "content": "weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "sunny, 21C"},
    ]
    [reply] = replies_for({"messages": messages, "tools": TOOLS}, "")
    assert reply.finish_reason == "stop" and "sunny, 21C" in (reply.content or "")


def test_without_new_fields_the_answer_is_unchanged() -> None:
    assert [r.content for r in _one({})] == ["text"]
    assert [r.content for r in _one({"n": 3})] == ["text", "text (choice 1)", "text (choice 2)"]


def test_over_http_streamed_and_not() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "weather in Paris and London?"}], "tools": TOOLS}
    with running_fake_upstream() as (url, behaviour):
        plain = httpx.post(f"{url}/chat/completions", json=body).json()
        [choice] = plain["choices"]
        assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
        assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["get_weather"] * 2

        with httpx.stream("POST", f"{url}/chat/completions", json={**body, "stream": True}) as response:
            chunks = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
        deltas = [c["choices"][0] for c in chunks if c["choices"]]
        calls = [d["delta"]["tool_calls"][0] for d in deltas if d["delta"].get("tool_calls")]
        heads = [c for c in calls if "id" in c]
        assert [(h["index"], h["type"], h["function"]["arguments"]) for h in heads] == [
            (0, "function", ""),
            (1, "function", ""),
        ]
        assert all(
            set(c) == {"index", "function"} and set(c["function"]) == {"arguments"} for c in calls if "id" not in c
        )
        for index in (0, 1):
            arguments = "".join(c["function"]["arguments"] for c in calls if c["index"] == index)
            assert json.loads(arguments) == json.loads(choice["message"]["tool_calls"][index]["function"]["arguments"])
        assert deltas[-1]["finish_reason"] == "tool_calls"

        logged = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "logprobs": True, "top_logprobs": 2}
        with httpx.stream("POST", f"{url}/chat/completions", json={**logged, "stream": True, "n": 2}) as response:
            chunks = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
        assert {c["choices"][0]["index"] for c in chunks} == {0, 1}
        entries = [e for c in chunks for e in (c["choices"][0].get("logprobs") or {}).get("content", [])]
        assert entries and all(len(e["top_logprobs"]) == 2 and e["bytes"] == list(e["token"].encode()) for e in entries)
        assert len(behaviour.requests) == 3 and behaviour.last_request == {**logged, "stream": True, "n": 2}
        assert httpx.post(f"{url}/chat/completions", json=logged).json()["choices"][0]["message"]["content"] == (
            DEFAULT_ANSWER
        )
