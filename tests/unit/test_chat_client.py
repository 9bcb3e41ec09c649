"""The chat client sends its messages past the openai SDK's per-message typing walk, and the request on the wire
is byte for byte the one plain `ChatOpenAI` sends, for every kind of call the graph makes."""

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from llm.chat import WireMessagesChatOpenAI
from nodes.classify_intent import INTENT_SCHEMA

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": '{"intent": "chat"}'}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}
CHUNKS = [
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [],
        "usage": COMPLETION["usage"],
    },
]
STREAM = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in CHUNKS) + "data: [DONE]\n\n"
PROMPT = [
    SystemMessage("You answer briefly."),
    HumanMessage("What is the capital of France?"),
    AIMessage("Paris."),
    HumanMessage([{"type": "text", "text": "And of "}, {"type": "text", "text": "Italy?"}]),
]


def recording_client(bodies: list[bytes]) -> httpx2.AsyncClient:
    def answer(request: httpx2.Request) -> httpx2.Response:
        bodies.append(request.content)
        if json.loads(request.content).get("stream"):
            return httpx2.Response(200, text=STREAM, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=COMPLETION)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(answer))


async def call(model: BaseChatModel, kind: str) -> None:
    if kind == "plain":
        await model.ainvoke(PROMPT)
    elif kind == "sampling":
        await model.bind(temperature=0.2, top_p=0.9, max_tokens=50, stop=["\n\n"], seed=7, user="u1").ainvoke(PROMPT)
    elif kind == "json_schema":
        await model.bind(response_format=INTENT_SCHEMA, temperature=0, max_tokens=80).ainvoke(PROMPT)
    elif kind == "extra_body":
        await model.bind(extra_body={"top_k": 5}).ainvoke(PROMPT)
    else:
        async for _ in model.astream(PROMPT):
            pass


@pytest.mark.parametrize("kind", ["plain", "sampling", "json_schema", "extra_body", "stream"])
async def test_the_request_body_is_byte_identical_to_plain_chat_openai(kind: str) -> None:
    sent: dict[str, list[bytes]] = {"plain": [], "wire": []}
    settings: dict[str, Any] = {
        "base_url": "http://upstream.invalid/v1",
        "model": "m",
        "api_key": "k",
        "stream_usage": True,
    }
    make: dict[str, Callable[..., BaseChatModel]] = {"plain": ChatOpenAI, "wire": WireMessagesChatOpenAI}
    for name, factory in make.items():
        await call(factory(**settings, http_async_client=recording_client(sent[name])), kind)
    assert len(sent["wire"]) == 1
    if kind == "json_schema":
        # Plain ChatOpenAI sends a response_format through the SDK's parse() (which drops `stream: false`); the
        # gateway's client takes the plain create path, so the same fields arrive in another order.
        plain = json.loads(sent["plain"][0])
        assert json.loads(sent["wire"][0]) == {**plain, "stream": False}
    else:
        assert sent["wire"] == sent["plain"]
    assert json.loads(sent["wire"][0])["messages"][-1]["content"][1]["text"] == "Italy?"


async def test_the_sdk_does_not_walk_the_messages() -> None:
    from openai._utils import _transform

    walked: list[object] = []
    original = _transform._async_transform_typeddict

    async def counting(data: Any, expected_type: type) -> Any:
        walked.append(expected_type)
        return await original(data, expected_type)

    bodies: list[bytes] = []
    model = WireMessagesChatOpenAI(
        base_url="http://upstream.invalid/v1", model="m", api_key="k", http_async_client=recording_client(bodies)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_transform, "_async_transform_typeddict", counting)
        await model.ainvoke(PROMPT)
    message_shapes = [t for t in walked if "Message" in getattr(t, "__name__", "")]
    assert walked, "the SDK's transform was not reached at all: this test no longer observes it"
    assert message_shapes == []


async def test_a_named_tool_choice_becomes_required_over_that_tool_for_llama_cpp() -> None:
    tools = [{"type": "function", "function": {"name": name, "parameters": {"type": "object"}}} for name in "ab"]
    choice = {"type": "function", "function": {"name": "b"}}
    for narrows, expected_tools, expected_choice in ((True, tools[1:], "required"), (False, tools, choice)):
        bodies: list[bytes] = []
        model = WireMessagesChatOpenAI(
            base_url="http://upstream.invalid/v1",
            model="m",
            api_key="k",
            narrows_named_tool_choice=narrows,
            http_async_client=recording_client(bodies),
        )
        await model.bind(tools=tools, tool_choice=choice).ainvoke(PROMPT)
        sent = json.loads(bodies[0])
        assert (sent["tools"], sent["tool_choice"]) == (expected_tools, expected_choice)
