"""`/v1/responses` and `/v1/conversations` on a real uvicorn server, driven by the official `openai` client:
plain and streamed responses, a function tool round trip, structured output, chains through
`previous_response_id`, a fork, conversations, and owner checks."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel

from bench.fake_upstream import DEFAULT_ANSWER, UpstreamBehaviour
from tests.integration.servers import gateway_with_two_keys

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, UpstreamBehaviour]]:
    with gateway_with_two_keys(tmp_path_factory.mktemp("gateway")) as served:
        yield served


@pytest.fixture(scope="module")
def gateway(served: tuple[str, UpstreamBehaviour]) -> str:
    return served[0]


def client(gateway: str, key: str = "key-a") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway}/v1", api_key=key, max_retries=0)


def session_questions(gateway: str, session_id: str) -> list[str]:
    session = httpx.get(f"{gateway}/sessions/{session_id}", headers={"Authorization": "Bearer key-a"}).json()
    return [m["content"] for m in session["messages"] if m["role"] == "user"]


def test_a_plain_response(gateway: str) -> None:
    response = client(gateway).responses.create(model="fake-upstream", input="What is the capital of France?")
    assert response.object == "response" and response.status == "completed"
    assert response.output_text == DEFAULT_ANSWER
    assert response.usage is not None and response.usage.output_tokens == len(DEFAULT_ANSWER.split())
    again = client(gateway).responses.retrieve(response.id)
    assert again.output_text == DEFAULT_ANSWER
    items = client(gateway).responses.input_items.list(response.id)
    assert [item.type for item in items.data] == ["message"]
    raw = httpx.get(f"{gateway}/v1/responses/{response.id}", headers={"Authorization": "Bearer key-a"}).json()
    openai.types.responses.Response.model_validate(raw)  # strictly: every field the SDK's type requires is there


def test_a_streamed_response_with_the_stream_helper(gateway: str) -> None:
    with client(gateway).responses.stream(model="fake-upstream", input="Tell me something.") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == DEFAULT_ANSWER
    assert final.output_text == DEFAULT_ANSWER and final.status == "completed"
    assert client(gateway).responses.retrieve(final.id).output_text == DEFAULT_ANSWER


@pytest.mark.parametrize("streamed", [False, True])
def test_a_function_tool_round_trip(gateway: str, streamed: bool) -> None:
    sdk = client(gateway)
    question = "What is the weather in Paris? Use get_weather."
    if streamed:
        with sdk.responses.stream(model="fake-upstream", input=question, tools=[WEATHER]) as stream:  # type: ignore[list-item]
            first = stream.get_final_response()
    else:
        first = sdk.responses.create(model="fake-upstream", input=question, tools=[WEATHER])  # type: ignore[list-item]
    call = next(item for item in first.output if item.type == "function_call")
    assert call.name == "get_weather" and call.arguments == '{"city": "Paris"}'
    second = sdk.responses.create(
        model="fake-upstream",
        previous_response_id=first.id,
        tools=[WEATHER],  # type: ignore[list-item]
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny, 21 C"}],
    )
    assert second.output_text == "The tool says: Sunny, 21 C"


class Capital(BaseModel):
    city: str
    country: str


def test_structured_output_parsed_with_responses_parse(gateway: str) -> None:
    parsed = client(gateway).responses.parse(
        model="fake-upstream", input="The capital of France, as JSON.", text_format=Capital
    )
    assert isinstance(parsed.output_parsed, Capital)


def prompt_sent(upstream: UpstreamBehaviour) -> str:
    """Everything the model was shown for the latest turn."""
    return json.dumps(upstream.last_request, ensure_ascii=False)


def test_a_chain_sees_the_first_turn_and_a_fork_does_not_see_the_second(
    served: tuple[str, UpstreamBehaviour],
) -> None:
    gateway, upstream = served
    sdk = client(gateway)
    first = sdk.responses.create(model="fake-upstream", input="My name is Ada.")
    second = sdk.responses.create(model="fake-upstream", input="I like tea.", previous_response_id=first.id)
    third = sdk.responses.create(model="fake-upstream", input="What is my name?", previous_response_id=second.id)
    assert "My name is Ada." in prompt_sent(upstream)  # the third answer was made seeing the first turn
    session = third.model_extra["session_id"]  # type: ignore[index]
    assert session == first.model_extra["session_id"]  # type: ignore[index]
    assert session_questions(gateway, session) == ["My name is Ada.", "I like tea.", "What is my name?"]
    fork = sdk.responses.create(model="fake-upstream", input="What do I drink?", previous_response_id=first.id)
    assert "My name is Ada." in prompt_sent(upstream) and "I like tea." not in prompt_sent(upstream)
    branch = fork.model_extra["session_id"]  # type: ignore[index]
    assert branch != session
    assert session_questions(gateway, branch) == ["My name is Ada.", "What do I drink?"]
    assert session_questions(gateway, session) == ["My name is Ada.", "I like tea.", "What is my name?"]  # untouched
    continued = sdk.responses.create(model="fake-upstream", input="And now?", previous_response_id=third.id)
    assert continued.model_extra["session_id"] == session  # type: ignore[index]


def test_a_conversation_used_across_requests_and_deleted(gateway: str) -> None:
    sdk = client(gateway)
    conversation = sdk.conversations.create()
    sdk.responses.create(model="fake-upstream", input="First", conversation=conversation.id)
    sdk.responses.create(model="fake-upstream", input="Second", conversation=conversation.id)
    assert session_questions(gateway, conversation.id) == ["First", "Second"]
    assert sdk.conversations.retrieve(conversation.id).id == conversation.id
    assert sdk.conversations.delete(conversation.id).deleted
    with pytest.raises(openai.NotFoundError):
        sdk.conversations.retrieve(conversation.id)


def test_one_session_through_chat_completions_messages_and_responses(gateway: str) -> None:
    chat = client(gateway).chat.completions.with_raw_response.create(
        model="fake-upstream", messages=[{"role": "user", "content": "One"}]
    )
    session_id = chat.headers["X-Session-Id"]
    messages = httpx.post(
        f"{gateway}/v1/messages",
        headers={"x-api-key": "key-a", "anthropic-version": "2023-06-01", "X-Session-Id": session_id},
        json={"model": "fake-upstream", "max_tokens": 32, "messages": [{"role": "user", "content": "Two"}]},
    )
    assert messages.status_code == 200, messages.text
    client(gateway).responses.create(model="fake-upstream", input="Three", conversation=session_id)
    assert session_questions(gateway, session_id) == ["One", "Two", "Three"]


def test_another_keys_ids_are_not_found_in_every_protocol(gateway: str) -> None:
    mine = client(gateway).responses.create(model="fake-upstream", input="Private question")
    conversation = client(gateway).conversations.create()
    other = client(gateway, key="key-b")
    refused: dict[str, Any] = {}
    for name, call in {
        "retrieve": lambda: other.responses.retrieve(mine.id),
        "delete": lambda: other.responses.delete(mine.id),
        "input_items": lambda: other.responses.input_items.list(mine.id),
        "previous_response_id": lambda: other.responses.create(
            model="fake-upstream", input="x", previous_response_id=mine.id
        ),
        "conversation": lambda: other.responses.create(model="fake-upstream", input="x", conversation=conversation.id),
        "conversations.retrieve": lambda: other.conversations.retrieve(conversation.id),
        "session via chat": lambda: other.chat.completions.create(
            model="fake-upstream",
            messages=[{"role": "user", "content": "x"}],
            extra_headers={"X-Session-Id": mine.model_extra["session_id"]},  # type: ignore[index]
        ),
    }.items():
        with pytest.raises(openai.NotFoundError):
            call()
        refused[name] = 404
    assert len(refused) == 7
    assert client(gateway).responses.retrieve(mine.id).output_text == DEFAULT_ANSWER  # still there for its owner


def test_what_the_gateway_cannot_honour_is_refused_by_name(gateway: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client(gateway).responses.create(model="fake-upstream", input="x", reasoning={"effort": "high"})
    assert "reasoning" in refused.value.message
