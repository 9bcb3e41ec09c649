"""Contract tests of `POST /v1/chat/completions` and `GET /v1/models` on fake models."""

import json

import httpx
import openai
import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models import GenericFakeChatModel

from config.settings import Settings
from tests.conftest import ClientFactory
from tests.fakes import FailingChatModel, answer_stream, fake_chat, fake_models


def ask(client: TestClient, text: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/chat/completions", json={"model": "fake-model", "messages": [{"role": "user", "content": text}], **extra}
    )


def test_completion_has_the_openai_shape_and_a_session(client: TestClient) -> None:
    response = ask(client, "hello")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "fake answer", "refusal": None}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    assert response.headers["x-session-id"] == body["session_id"] == body["sage"]["session_id"]
    assert body["sage"]["route"] == ["load_memory", "classify_intent", "generate_answer", "store_memory"]


def test_completion_ids_are_unique_per_completion(client: TestClient) -> None:
    first = ask(client, "a", session_id="same")
    second = ask(client, "b", session_id="same")
    assert first.json()["id"] != second.json()["id"]


def test_session_continues_by_body_or_header(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat("one", "two", "three")))
    session_id = ask(client, "first").json()["session_id"]
    ask(client, "second", session_id=session_id)
    client.post(
        "/v1/chat/completions",
        json={"model": "sage-default", "messages": [{"role": "user", "content": "third"}]},
        headers={"X-Session-Id": session_id},
    )
    messages = client.get(f"/sessions/{session_id}").json()["messages"]
    assert [m["content"] for m in messages] == ["first", "one", "second", "two", "third", "three"]


def test_full_history_resent_by_the_client_is_not_duplicated(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat("one", "two")))
    session_id = ask(client, "first").json()["session_id"]
    resent = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "one"},
        {"role": "user", "content": "second"},
    ]
    client.post("/v1/chat/completions", json={"model": "fake-model", "messages": resent, "session_id": session_id})
    messages = client.get(f"/sessions/{session_id}").json()["messages"]
    assert [m["content"] for m in messages] == ["first", "one", "second", "two"]


def test_models_lists_the_backend_model_and_the_alias(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["fake-model", "sage-default"]


def test_unknown_model_is_404(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions", json={"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"


BAD_BODIES = {
    "malformed json": b'{"model": "fake-model", "messages": [',
    "not an object": b"[1, 2, 3]",
    "messages wrong type": json.dumps({"model": "fake-model", "messages": "hello"}).encode(),
    "empty messages": json.dumps({"model": "fake-model", "messages": []}).encode(),
    "unknown role": json.dumps({"model": "fake-model", "messages": [{"role": "wizard", "content": "x"}]}).encode(),
    "last message not user": json.dumps(
        {"model": "fake-model", "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
    ).encode(),
    "temperature out of range": json.dumps(
        {"model": "fake-model", "temperature": 7, "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
    "max_tokens over the cap": json.dumps(
        {"model": "fake-model", "max_tokens": 10**9, "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
    "n above the choices cap": json.dumps(
        {"model": "fake-model", "n": 99, "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
    "unknown field": json.dumps(
        {"model": "fake-model", "frobnicate": 1, "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
    "tool message without its call id": json.dumps(
        {"model": "fake-model", "messages": [{"role": "user", "content": "x"}, {"role": "tool", "content": "r"}]}
    ).encode(),
    "tool_choice naming no tool": json.dumps(
        {
            "model": "fake-model",
            "tool_choice": {"type": "function", "function": {"name": "nope"}},
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
            "messages": [{"role": "user", "content": "x"}],
        }
    ).encode(),
    "store false with a session": json.dumps(
        {"model": "fake-model", "store": False, "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
    "image content part": json.dumps(
        {"model": "fake-model", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}
    ).encode(),
    "session id with path characters": json.dumps(
        {"model": "fake-model", "session_id": "../etc/passwd", "messages": [{"role": "user", "content": "x"}]}
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_input_is_an_openai_400_and_changes_no_session(client: TestClient, name: str) -> None:
    session_id = ask(client, "keep me").json()["session_id"]
    before = client.get(f"/sessions/{session_id}").json()
    body = BAD_BODIES[name]
    if b'"session_id"' not in body and body.startswith(b"{") and body.endswith(b"}"):
        body = body[:-1] + f', "session_id": "{session_id}"}}'.encode()
    response = client.post("/v1/chat/completions", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert client.get(f"/sessions/{session_id}").json() == before
    assert client.get("/sessions").json()["stats"]["total_sessions"] == 1


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (lambda: openai.APIConnectionError(request=httpx.Request("POST", "http://x")), 503),
        (lambda: openai.APITimeoutError(request=httpx.Request("POST", "http://x")), 504),
    ],
)
def test_backend_down_is_a_5xx_and_the_turn_is_rolled_back(make_client: ClientFactory, error, status) -> None:  # type: ignore[no-untyped-def]
    client = make_client(fake_models(FailingChatModel(messages=iter([]), error_factory=error)))
    response = client.post(
        "/v1/chat/completions",
        json={"model": "fake-model", "session_id": "s1", "messages": [{"role": "user", "content": "x"}]},
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] in {"upstream_unavailable", "upstream_timeout"}
    assert client.get("/sessions/s1").status_code == 404  # the session it would have created is gone


def test_failed_turn_in_an_existing_session_leaves_it_unchanged(make_client: ClientFactory, settings) -> None:  # type: ignore[no-untyped-def]
    healthy = make_client(fake_models(fake_chat("fine")))
    ask(healthy, "first", session_id="s1")
    before = healthy.get("/sessions/s1").json()
    healthy.__exit__(None, None, None)
    broken = make_client(fake_models(FailingChatModel(messages=iter([]))))
    failed = ask(broken, "second", session_id="s1")
    assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal_error"
    assert broken.get("/sessions/s1").json() == before
    assert ask(broken, "third", session_id="s1", stream=True).status_code == 500
    assert broken.get("/sessions/s1").json() == before


def test_stream_is_pure_openai_chunks_ending_with_done(client: TestClient) -> None:
    response = ask(client, "hello", stream=True, stream_options={"include_usage": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    payloads = [line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")]
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "fake answer"
    finals = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finals) == 1 and finals[0]["sage"]["route"][-1] == "store_memory"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert len(chunks) >= 5  # role, >= 3 word tokens, finish, usage: streamed, not one blob


def test_concurrent_turns_of_one_session_are_serialised(make_client: ClientFactory) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from langchain_core.language_models import GenericFakeChatModel

    from tests.fakes import answer_stream

    class SlowChat(GenericFakeChatModel):
        async def _agenerate(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            import asyncio

            await asyncio.sleep(0.05)  # long enough for the other turns to arrive meanwhile
            return await super()._agenerate(*args, **kwargs)

    client = make_client(fake_models(SlowChat(messages=answer_stream(("answer",)))))

    def turn(number: int) -> int:
        return ask(client, f"q{number}", session_id="shared").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(turn, range(6))) == [200] * 6
    messages = [m["content"] for m in client.get("/sessions/shared").json()["messages"]]
    assert sorted(messages[0::2]) == [f"q{n}" for n in range(6)] and messages[1::2] == ["answer"] * 6


def test_a_turn_that_waits_too_long_for_its_session_gets_409_with_retry_after(
    make_client: ClientFactory, settings: Settings
) -> None:
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    class SlowChat(GenericFakeChatModel):
        async def _agenerate(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            await asyncio.sleep(1.0)  # holds the session's lock for longer than the other turn will wait
            return await super()._agenerate(*args, **kwargs)

    impatient = settings.model_copy(update={"lock_wait_seconds": 0.2})
    client = make_client(fake_models(SlowChat(messages=answer_stream(("slow", "second")))), impatient)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(ask, client, "first", session_id="busy")
        time.sleep(0.3)
        second = ask(client, "second", session_id="busy")
        assert first.result().status_code == 200
    assert second.status_code == 409, second.text
    assert second.json()["error"]["code"] == "session_busy" and int(second.headers["Retry-After"]) >= 1
    messages = [m["content"] for m in client.get("/sessions/busy").json()["messages"]]
    assert messages == ["first", "slow"]  # the refused turn left nothing behind


class BreaksMidStream(GenericFakeChatModel):
    """Streams two tokens, then the connection drops; later calls answer normally."""

    calls: int = 0

    async def _astream(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        sent = 0
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            yield chunk
            sent += 1
            if self.calls == 1 and sent == 2:
                raise ConnectionError("connection reset in the middle of the answer")


def test_an_answer_broken_mid_stream_is_an_error_not_spliced_with_the_fallback(make_client: ClientFactory) -> None:
    model = BreaksMidStream(messages=answer_stream(("first answer that breaks off here", "fallback answer")))
    client = make_client(fake_models(model))
    response = ask(client, "hello", stream=True, session_id="broken")
    payloads = [line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")]
    assert payloads[-1] == "[DONE]"
    frames = [json.loads(p) for p in payloads[:-1]]
    text = "".join(f["choices"][0]["delta"].get("content", "") for f in frames if f.get("choices"))
    assert "fallback" not in text  # nothing from a second answer was appended to the first one's beginning
    assert frames[-1]["error"]["code"] == "upstream_error"
    assert client.get("/sessions").json()["sessions"] == []  # the failed turn left nothing behind
    assert ask(client, "hello again", session_id="broken").status_code == 200


def test_several_choices_of_a_designed_workflow_repeat_it_and_say_so(client: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": "create a RAG workflow that reads PDFs and answers questions"}]}
    response = client.post("/v1/chat/completions", json={**body, "n": 2})
    assert response.status_code == 200, response.text
    completion = response.json()
    assert completion["sage"]["intent"] == "workflow" and completion["sage"]["choices_repeated"] is True
    first, second = completion["choices"]
    assert second["index"] == 1 and second["message"]["content"] == first["message"]["content"]


@pytest.mark.parametrize(
    "token",
    [
        "Paris",
        " is",
        "",
        'a "quoted" \\ word',
        "line\nbreak\ttab\r",
        "é 你好 🙂",
        "\u2028\u2029\x7f\x00\x1f",
        "</script>",
    ],
)
def test_a_token_frame_is_the_bytes_the_chunk_model_gives_through_sse_starlette(token: str) -> None:
    from sse_starlette.event import ensure_bytes

    from api.protocols.openai_chat_stream import ChunkDelta, ChunkWriter

    writer = ChunkWriter("sage-default")
    assert writer.token(token) == ensure_bytes({"data": writer.delta(ChunkDelta(content=token))}, "\r\n")
