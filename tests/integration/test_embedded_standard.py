"""The gateway on the real embedded model: a few of LangChain's standard chat-model tests with `ChatOpenAI` (a
forced tool call, structured output with a pydantic schema and the other schema kinds, histories that carry tool
results), the SDK's `parse()`, and the raw wire of tool calls, JSON schema and logprobs. The unit suite runs
the whole standard suite against a fake upstream; this shows the packaged Qwen2.5 0.5B behind the gateway does
the same things for real (grammar-held JSON and tool calls)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests.chat_models import ChatModelTests
from pydantic import BaseModel

from api.app import create_app
from bench.fake_upstream import serving_in_thread
from config.settings import Settings
from llm.gguf import read_gguf_metadata
from llm.local_server import assemble_packaged_model, fenced_tool_call_template

pytestmark = pytest.mark.asyncio(loop_scope="module")

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
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded-gateway")


@pytest.fixture(scope="module")
def gateway_url(data_dir: Path) -> Iterator[str]:
    data = data_dir
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=data, SAGE_GATEWAY_AUTO_INDEX=False, SAGE_LOCAL_PARALLEL=1, SAGE_LOCAL_CONTEXT_TOKENS=4096
    )
    with serving_in_thread(create_app(settings), start_timeout=600) as url:
        yield f"{url}/v1"


class TestEmbeddedModelThroughGateway(ChatModelTests):
    """Only the chosen standard tests run here (each is the suite's own method, unchanged)."""

    base_url = ""

    @pytest.fixture(autouse=True, scope="class")
    def _target(self, gateway_url: str) -> Iterator[None]:
        type(self).base_url = gateway_url
        yield

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "sage-default", "base_url": self.base_url, "api_key": "unused", "max_tokens": 200}

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    test_tool_calling = ChatModelIntegrationTests.test_tool_calling
    test_structured_output = ChatModelIntegrationTests.test_structured_output
    test_tool_message_histories_string_content = ChatModelIntegrationTests.test_tool_message_histories_string_content
    test_tool_message_histories_list_content = ChatModelIntegrationTests.test_tool_message_histories_list_content


class Capital(BaseModel):
    country: str
    capital: str


def test_the_openai_sdk_parses_the_embedded_models_answer_into_a_pydantic_model(gateway_url: str) -> None:
    client = openai.OpenAI(base_url=gateway_url, api_key="unused", max_retries=0)
    completion = client.chat.completions.parse(
        model="sage-default",
        messages=[{"role": "user", "content": "What is the capital of France? Answer as JSON."}],
        response_format=Capital,
        max_tokens=60,
        temperature=0,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Capital) and parsed.capital


def chat(gateway_url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{gateway_url}/chat/completions",
        json={"model": "sage-default", "temperature": 0, "max_tokens": 40, **body},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_only_the_qwen_template_is_rewritten(gateway_url: str, data_dir: Path) -> None:
    model_path = assemble_packaged_model(data_dir / "models")  # the file the gateway verified and serves
    template = fenced_tool_call_template(read_gguf_metadata(model_path)["tokenizer.chat_template"])
    assert template is not None and "<tool_call>" not in template and "```json" in template
    assert fenced_tool_call_template("{% for m in messages %}{{ m.content }}{% endfor %}") is None


def test_required_tool_choice_returns_a_parsed_get_weather_call(gateway_url: str) -> None:
    choice = chat(gateway_url, messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], tool_choice="required")["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"]
    assert call["function"]["name"] == "get_weather"
    assert "paris" in json.loads(call["function"]["arguments"])["city"].lower()


def test_streamed_tool_call_arrives_as_argument_deltas(gateway_url: str) -> None:
    names, arguments, finish_reasons = [], "", []
    with httpx.stream(
        "POST",
        f"{gateway_url}/chat/completions",
        json={
            "model": "sage-default",
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


def test_tool_choice_none_answers_in_text(gateway_url: str) -> None:
    choice = chat(gateway_url, messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], tool_choice="none")["choices"][0]
    assert choice["finish_reason"] in {"stop", "length"}
    assert not choice["message"].get("tool_calls") and choice["message"]["content"]


def test_json_schema_output_parses_and_matches(gateway_url: str) -> None:
    body = chat(
        gateway_url,
        messages=[{"role": "user", "content": "Tell me a joke."}],  # nothing in the prompt asks for this shape
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "strict": True, "schema": PERSON_SCHEMA},
        },
    )
    person = json.loads(body["choices"][0]["message"]["content"])
    assert set(person) == {"name", "age"}
    assert isinstance(person["name"], str) and type(person["age"]) is int


def test_logprobs_report_each_token_with_its_alternatives(gateway_url: str) -> None:
    body = chat(
        gateway_url, messages=[{"role": "user", "content": "Say hi"}], logprobs=True, top_logprobs=2, max_tokens=3
    )
    tokens = body["choices"][0]["logprobs"]["content"]
    assert 1 <= len(tokens) <= 3  # at most max_tokens; an end-of-turn token has no entry
    assert "".join(token["token"] for token in tokens) == body["choices"][0]["message"]["content"]
    for token in tokens:
        assert token["logprob"] <= 0 and isinstance(token["bytes"], list)
        assert len(token["top_logprobs"]) == 2
        assert token["top_logprobs"][0]["logprob"] >= token["top_logprobs"][1]["logprob"]
