"""Anthropic's Messages API at the edge: requests become the gateway's turn, unsupported fields are refused by
name, and a streamed answer becomes Anthropic's block events."""

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from api.errors import OpenAIError, anthropic_error_body
from api.protocols.anthropic_messages import MessagesRequest, count_tokens, turn_request
from api.protocols.anthropic_stream import BlockWriter


def request(**fields: Any) -> MessagesRequest:
    body = {"model": "sage-default", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}], **fields}
    return MessagesRequest.model_validate(body)


def test_a_tool_round_trip_becomes_the_graphs_messages_and_the_tools_openai_functions() -> None:
    turn = turn_request(
        request(
            system=[{"type": "text", "text": "Be brief."}],
            tools=[{"name": "get_weather", "input_schema": {"type": "object"}}],
            tool_choice={"type": "any", "disable_parallel_tool_use": True},
            stop_sequences=["END"],
            messages=[
                {"role": "user", "content": "Weather in Paris?"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}}],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "Sunny"}]}
                    ],
                },
            ],
        ),
        session_id=None,
        max_tokens_cap=1024,
    )
    human, call, result = turn.dialogue
    assert isinstance(human, HumanMessage) and human.text == "Weather in Paris?"
    assert isinstance(call, AIMessage) and call.tool_calls[0]["args"] == {"city": "Paris"}
    assert isinstance(result, ToolMessage) and (result.tool_call_id, result.text) == ("t1", "Sunny")
    assert turn.system_prompt == "Be brief."
    assert turn.context.tools == [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    assert (turn.context.tool_choice, turn.context.parallel_tool_calls, turn.context.stop) == (
        "required",
        False,
        ["END"],
    )
    assert turn.context.wants_direct_answer  # tools go to the direct path, as with chat completions


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 1024}}, "thinking"),
        ({"messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]}, "messages[0].content[0].type"),
        ({"tools": [{"type": "web_search_20250305", "name": "web_search", "input_schema": {}}]}, "tools[0].type"),
        ({"metadata": {"tenant": "x"}}, "metadata.tenant"),
        ({"max_tokens": 100_000}, "max_tokens"),
    ],
)
def test_what_the_gateway_cannot_honour_is_refused_by_name(fields: dict[str, Any], named: str) -> None:
    with pytest.raises(OpenAIError) as refused:
        turn_request(request(**fields), session_id=None, max_tokens_cap=1024)
    assert refused.value.status == 400 and named in refused.value.message
    assert anthropic_error_body(refused.value)["error"]["type"] == "invalid_request_error"


def test_the_session_comes_from_metadata_or_the_header() -> None:
    assert turn_request(request(metadata={"session_id": "s-1"}), session_id=None, max_tokens_cap=64).session_id == "s-1"
    assert turn_request(request(), session_id="s-2", max_tokens_cap=64).session_id == "s-2"


def test_count_tokens_grows_with_the_prompt() -> None:
    short = count_tokens(request())
    longer = count_tokens(request(system="You answer questions about the gateway in one sentence."))
    assert 0 < short < longer


def test_text_then_a_tool_call_stream_as_two_blocks_each_opened_and_closed() -> None:
    blocks = BlockWriter()
    frames = blocks.text("Let me check.") + blocks.text(" One moment.")
    frames += blocks.tool_call({"index": 0, "id": "t1", "function": {"name": "get_weather", "arguments": ""}})
    frames += blocks.tool_call({"index": 0, "function": {"arguments": '{"city": '}})
    frames += blocks.tool_call({"index": 0, "function": {"arguments": '"Paris"}'}})
    frames += blocks.close()
    events = [(f["event"], json.loads(f["data"])) for f in frames]
    assert [kind for kind, _ in events] == [
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
    ]
    assert events[4][1]["content_block"] == {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}
    partial = "".join(
        data["delta"]["partial_json"]
        for kind, data in events
        if data.get("index") == 1 and kind == "content_block_delta"
    )
    assert json.loads(partial) == {"city": "Paris"}
    assert [data["index"] for _, data in events] == [0, 0, 0, 0, 1, 1, 1, 1]
