"""`/v1/messages` on a real uvicorn server, driven by the official `anthropic` client: plain and streamed
messages, a tool round trip, `count_tokens`, typed errors, keys, and one session across both protocols."""

from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest

from bench.fake_upstream import DEFAULT_ANSWER
from tests.integration.servers import gateway_with_two_keys

WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with gateway_with_two_keys(tmp_path_factory.mktemp("gateway")) as (base_url, _):
        yield base_url


def client(gateway: str, key: str = "key-a") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gateway, api_key=key, max_retries=0)


def test_a_plain_message(gateway: str) -> None:
    message = client(gateway).messages.create(
        model="fake-upstream", max_tokens=64, messages=[{"role": "user", "content": "What is the capital of France?"}]
    )
    assert message.type == "message" and message.role == "assistant"
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == DEFAULT_ANSWER  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == len(DEFAULT_ANSWER.split())  # the upstream's count
    question = {"role": "user", "content": "What is the capital of France?"}
    again = client(gateway).messages.create(  # the SDK's own blocks sent back as the history
        model="fake-upstream",
        max_tokens=64,
        messages=[question, {"role": "assistant", "content": message.content}, {"role": "user", "content": "Sure?"}],
    )
    assert again.content[0].text == DEFAULT_ANSWER  # type: ignore[union-attr]


def test_a_streamed_message_with_its_text_stream_and_final_message(gateway: str) -> None:
    with client(gateway).messages.stream(
        model="fake-upstream", max_tokens=64, messages=[{"role": "user", "content": "Tell me something."}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == DEFAULT_ANSWER
    assert final.content[0].text == DEFAULT_ANSWER  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0


@pytest.mark.parametrize("streamed", [False, True])
def test_a_tool_use_and_tool_result_round_trip(gateway: str, streamed: bool) -> None:
    sdk = client(gateway)
    question = {"role": "user", "content": "What is the weather in Paris? Use get_weather."}
    if streamed:
        with sdk.messages.stream(model="fake-upstream", max_tokens=64, messages=[question], tools=[WEATHER]) as s:
            first = s.get_final_message()
    else:
        first = sdk.messages.create(model="fake-upstream", max_tokens=64, messages=[question], tools=[WEATHER])
    assert first.stop_reason == "tool_use"
    call = next(block for block in first.content if block.type == "tool_use")
    assert call.name == "get_weather" and call.input == {"city": "Paris"}  # type: ignore[union-attr]
    result = {"type": "tool_result", "tool_use_id": call.id, "content": "Sunny, 21 C"}  # type: ignore[union-attr]
    second = sdk.messages.create(
        model="fake-upstream",
        max_tokens=64,
        tools=[WEATHER],
        messages=[question, {"role": "assistant", "content": first.content}, {"role": "user", "content": [result]}],
    )
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "The tool says: Sunny, 21 C"  # type: ignore[union-attr]


def test_count_tokens(gateway: str) -> None:
    counted = client(gateway).messages.count_tokens(
        model="fake-upstream", messages=[{"role": "user", "content": "How many tokens is this question?"}]
    )
    assert 5 <= counted.input_tokens <= 20


def test_errors_are_the_sdks_typed_exceptions_in_anthropics_shape(gateway: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as missing_model:
        client(gateway).messages.create(model="nope", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.AuthenticationError):
        client(gateway, key="wrong").messages.create(
            model="fake-upstream", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(anthropic.BadRequestError) as unsupported:
        client(gateway).messages.create(
            model="fake-upstream",
            max_tokens=8,
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"thinking": {"type": "enabled", "budget_tokens": 1024}},
        )
    assert missing_model.value.body == {
        "type": "error",
        "error": {"type": "not_found_error", "message": "model 'nope' is not served here; see GET /v1/models"},
    }
    assert "thinking" in unsupported.value.message  # refused by name, never dropped
    missing_max_tokens = httpx.post(
        f"{gateway}/v1/messages",
        headers={"x-api-key": "key-a", "anthropic-version": "2023-06-01"},
        json={"model": "fake-upstream", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert missing_max_tokens.status_code == 400
    assert missing_max_tokens.json()["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in missing_max_tokens.json()["error"]["message"]


def test_one_session_through_chat_completions_then_messages_and_another_keys_404(gateway: str) -> None:
    chat = openai.OpenAI(base_url=f"{gateway}/v1", api_key="key-a", max_retries=0)
    raw = chat.chat.completions.with_raw_response.create(
        model="fake-upstream", messages=[{"role": "user", "content": "First question"}]
    )
    session_id = raw.headers["X-Session-Id"]
    continued = client(gateway).messages.create(
        model="fake-upstream",
        max_tokens=64,
        messages=[{"role": "user", "content": "Second question"}],
        extra_headers={"X-Session-Id": session_id},
    )
    assert continued.model_extra and continued.model_extra["session_id"] == session_id
    session = httpx.get(f"{gateway}/sessions/{session_id}", headers={"Authorization": "Bearer key-a"}).json()
    assert [m["content"] for m in session["messages"]] == [
        "First question",
        DEFAULT_ANSWER,
        "Second question",
        DEFAULT_ANSWER,
    ]
    with pytest.raises(anthropic.NotFoundError):
        client(gateway, key="key-b").messages.create(
            model="fake-upstream",
            max_tokens=64,
            messages=[{"role": "user", "content": "Third question"}],
            metadata={"session_id": session_id},  # type: ignore[typeddict-unknown-key]
        )


def test_the_default_model_id_is_served(gateway: str) -> None:
    message = client(gateway).messages.create(
        model="sage-default", max_tokens=16, messages=[{"role": "user", "content": "Hello"}]
    )
    assert message.content[0].text  # type: ignore[union-attr]
