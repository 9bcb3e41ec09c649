"""The lean upstream path (`llm.wire`) sends what the openai SDK sends, byte for byte and header for header, reads
the answer as langchain-openai would, and leaves every failure to the SDK."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from aiohttp import web
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from llm.chat import WireMessagesChatOpenAI
from llm.wire import EAGER_CHUNKS, TRANSPORT_HEADERS, UpstreamWire
from tests.unit.test_chat_client import COMPLETION, PROMPT, STREAM, call

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Météo d'une ville",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


@dataclass
class Upstream:
    """A loopback server that keeps every request's headers and body bytes, and answers with `status`."""

    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    stream: str = STREAM


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    state = Upstream()

    async def answer(request: web.Request) -> web.Response:
        body = await request.read()
        state.requests.append(({k.lower(): v for k, v in request.headers.items()}, body))
        if state.status != 200:
            return web.json_response({"error": {"message": "refused", "type": "invalid_request_error"}}, status=400)
        if json.loads(body).get("stream"):
            return web.Response(text=state.stream, content_type="text/event-stream")
        return web.json_response(COMPLETION)

    app = web.Application()
    app.router.add_post("/v1/chat/completions", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/v1"
    yield state
    await runner.cleanup()


def models(url: str) -> dict[str, BaseChatModel]:
    settings: dict[str, Any] = {"base_url": url, "model": "m", "api_key": "k", "stream_usage": True, "max_retries": 0}
    return {"sdk": ChatOpenAI(**settings), "wire": WireMessagesChatOpenAI(**settings)}


def sent_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in TRANSPORT_HEADERS}


@pytest.mark.parametrize("kind", ["plain", "sampling", "extra_body", "stream", "tools", "unicode"])
async def test_the_lean_path_sends_the_sdks_bytes_and_headers(upstream: Upstream, kind: str) -> None:
    sent: dict[str, tuple[dict[str, str], bytes]] = {}
    both = models(upstream.url)
    for name, model in both.items():
        upstream.requests.clear()
        if kind == "tools":
            await model.bind_tools(TOOLS, tool_choice="auto").ainvoke(PROMPT)
        elif kind == "unicode":
            await model.bind(stop=["ß", "。"], logit_bias={"42": -1.5}, temperature=0.25).ainvoke("Grüße 你好 \u2028")
        else:
            await call(model, kind)
        assert len(upstream.requests) == 1, name
        sent[name] = upstream.requests[0]
    wire = both["wire"]
    assert isinstance(wire, WireMessagesChatOpenAI) and wire._wire is not None and wire._wire._shapes, "not lean"
    await wire.aclose()
    assert sent["wire"][1] == sent["sdk"][1]
    assert sent_headers(sent["wire"][0]) == sent_headers(sent["sdk"][0])


async def test_the_lean_path_is_the_one_taken_and_reads_the_answer_as_langchain_does(upstream: Upstream) -> None:
    wire, sdk = models(upstream.url)["wire"], models(upstream.url)["sdk"]
    mine, theirs = await wire.ainvoke(PROMPT), await sdk.ainvoke(PROMPT)
    assert isinstance(wire, WireMessagesChatOpenAI) and wire._wire is not None and wire._wire._shapes
    assert mine.content == theirs.content and mine.usage_metadata == theirs.usage_metadata
    streamed = [chunk async for chunk in wire.astream(PROMPT)]
    whole = streamed[0]
    for chunk in streamed[1:]:
        whole += chunk
    assert whole.content == "hi" and whole.usage_metadata == theirs.usage_metadata
    await wire.aclose()


async def test_a_refused_request_raises_the_sdks_typed_error_without_being_sent_again(upstream: Upstream) -> None:
    upstream.status = 400
    wire = models(upstream.url)["wire"]
    with pytest.raises(openai.BadRequestError):
        await wire.ainvoke(PROMPT)
    assert len(upstream.requests) == 1  # max_retries 0: the lean attempt was the only one
    upstream.requests.clear()
    with pytest.raises(openai.BadRequestError):
        async for _ in wire.astream(PROMPT):
            pass
    assert len(upstream.requests) == 1


async def test_a_burst_of_chunks_in_one_read_lets_the_first_ones_on_their_way_before_the_rest_is_parsed(
    upstream: Upstream,
) -> None:
    token = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    chunks = [{**token, "choices": [{"index": 0, "delta": {"content": f"w{n} "}}]} for n in range(200)]
    upstream.stream = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    client = openai.AsyncOpenAI(base_url=upstream.url, api_key="k", max_retries=0)
    wire = UpstreamWire(client, timeout_seconds=10, connect_timeout_seconds=5)
    received, seen_by_others = 0, set()

    async def another_task() -> None:  # stands for the graph's stream and the client's response
        while True:
            seen_by_others.add(received)
            await asyncio.sleep(0)

    other = asyncio.create_task(another_task())
    payload = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    async for _ in wire.chunks(payload):
        received += 1
    other.cancel()
    await wire.aclose()
    assert received == 200
    assert set(range(1, EAGER_CHUNKS + 1)) <= seen_by_others  # it ran after each of the first chunks
