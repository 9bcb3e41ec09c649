"""The official `openai` client against a real gateway on loopback, for what agent frameworks need: structured
output parsed into a pydantic model, streamed tool calls the SDK reassembles, an agent loop of two tool rounds in
one session, logprobs, several choices and refused image parts.

The upstream is the tool- and JSON-capable fake (bench/fake_upstream.py): it calls the tool the question names
and answers from a tool's result, so the whole path (langchain-openai, streaming, the session) is real.
"""

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from pydantic import BaseModel

from bench.fake_upstream import UpstreamBehaviour, running_fake_upstream
from tests.integration.servers import running_gateway

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}


class CityFacts(BaseModel):
    city: str
    population: int


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, UpstreamBehaviour]]:
    with running_fake_upstream() as served:
        yield served


@pytest.fixture(scope="module")
def gateway(upstream: tuple[str, UpstreamBehaviour], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"SAGE_CHAT_BASE_URL": upstream[0], "SAGE_CHAT_MODEL": "fake-upstream", "SAGE_CHAT_MAX_RETRIES": "0"}
    with running_gateway(env, tmp_path_factory.mktemp("gateway")) as base_url:
        yield base_url


@pytest.fixture
def client(gateway: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway}/v1", api_key="unused", max_retries=0)


def test_parse_into_a_pydantic_model(client: openai.OpenAI, upstream: tuple[str, UpstreamBehaviour]) -> None:
    completion = client.chat.completions.parse(
        model="sage-default",
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityFacts,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, CityFacts)
    sent = upstream[1].last_request or {}
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["city", "population"]
    assert "retrieve" not in completion.model_extra["sage"]["route"]  # type: ignore[index]
    assert "answer_direct" in completion.model_extra["sage"]["route"]  # type: ignore[index]


def test_a_streamed_tool_call_is_reassembled_by_the_sdk(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model="sage-default",
        messages=[{"role": "user", "content": "What's the weather in Paris?"}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
    ) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments)["city"]  # type: ignore[union-attr]


def test_an_agent_loop_of_two_tool_rounds_runs_in_one_session(client: openai.OpenAI, gateway: str) -> None:
    messages: list[dict] = [{"role": "user", "content": "What's the weather in Paris?"}]  # type: ignore[type-arg]
    session_ids = set()
    rounds = 0
    for _ in range(4):
        completion = client.chat.completions.create(
            model="sage-default",
            messages=messages,  # type: ignore[arg-type]
            tools=[WEATHER_TOOL],  # type: ignore[list-item]
            extra_headers={"X-Session-Id": "agent-loop"},
        )
        session_ids.add(completion.model_extra["session_id"])  # type: ignore[index]
        message = completion.choices[0].message
        if not message.tool_calls:
            break
        rounds += 1
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": f"sunny, round {rounds}"})
        if rounds == 1:
            messages.append({"role": "user", "content": "And the weather in London?"})
    assert rounds == 2 and session_ids == {"agent-loop"}
    assert "sunny, round 2" in (message.content or "")
    stored = httpx.get(f"{gateway}/sessions/agent-loop").json()["messages"]
    assert [m["role"] for m in stored] == [
        "user", "assistant", "tool", "user", "assistant", "tool", "assistant"
    ]  # fmt: skip
    assert stored[1]["tool_calls"][0]["name"] == "get_weather"


def test_logprobs_and_several_choices(client: openai.OpenAI, upstream: tuple[str, UpstreamBehaviour]) -> None:
    completion = client.chat.completions.create(
        model="sage-default",
        messages=[{"role": "user", "content": "Say hi."}],
        logprobs=True,
        top_logprobs=2,
        n=2,
    )
    assert [choice.index for choice in completion.choices] == [0, 1]
    for choice in completion.choices:
        assert choice.logprobs is not None and choice.logprobs.content
        assert len(choice.logprobs.content[0].top_logprobs) == 2
    stream = client.chat.completions.create(
        model="sage-default", messages=[{"role": "user", "content": "Say hi."}], logprobs=True, n=2, stream=True
    )
    chunks = list(stream)
    assert {choice.index for chunk in chunks for choice in chunk.choices} == {0, 1}
    assert any(choice.logprobs and choice.logprobs.content for chunk in chunks for choice in chunk.choices)


def test_an_image_part_is_refused_with_its_param(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="sage-default",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in this picture?"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    ],
                }
            ],
        )
    error = refused.value.body
    assert isinstance(error, dict)
    assert error["param"] == "messages[0].content[1]" and error["code"] == "unsupported_content"
    assert "takes no images" in error["message"]


def test_ten_turns_of_a_plain_client_leave_one_session_and_store_false_none(
    client: openai.OpenAI, gateway: str
) -> None:
    def listed() -> set[str]:
        return {s["id"] for s in httpx.get(f"{gateway}/sessions?limit=1000").json()["sessions"]}

    before = listed()
    messages: list[dict] = []  # type: ignore[type-arg]
    for n in range(10):
        messages.append({"role": "user", "content": f"Question number {n}?"})
        completion = client.chat.completions.create(model="sage-default", messages=messages)  # type: ignore[arg-type]
        messages.append({"role": "assistant", "content": completion.choices[0].message.content})
    [session_id] = listed() - before
    assert httpx.get(f"{gateway}/sessions/{session_id}").json()["messages"][-2]["content"] == "Question number 9?"
    client.chat.completions.create(
        model="sage-default", messages=[{"role": "user", "content": "Forget this."}], store=False
    )
    assert listed() - before == {session_id}
