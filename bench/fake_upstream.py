"""A fake OpenAI-compatible chat server for tests and benchmarks (loopback only).

It answers every chat request with a fixed text, streamed word by word, and real-looking `usage`. Knobs:
`delay_per_token` (seconds), `response_delay` (seconds before anything is sent: a slow backend), `fail_with`
(an HTTP status to answer with, its error message `error_message`; only the first `fail_times` chat requests when
that is set) and `malformed` (a broken answer: a body that is not JSON, `choices: []`, or a stream cut before its
end).
"""

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

DEFAULT_ANSWER = "Paris is the capital of France and this is a fake upstream answer."

Malformation = Literal["not_json", "empty_choices", "cut_stream"]


@dataclass
class UpstreamBehaviour:
    """What the fake server does; tests may change it while it runs."""

    answer: str = DEFAULT_ANSWER
    delay_per_token: float = 0.0
    fail_with: int | None = None
    fail_times: int | None = None
    response_delay: float = 0.0
    error_message: str = "injected failure"
    malformed: Malformation | None = None
    chat_calls: int = 0
    model: str = "fake-upstream"
    last_request: dict | None = None
    streams_cut: list[float] = field(default_factory=list)
    """Monotonic times at which a client went away before a stream ended (the gateway cancelled upstream)."""


def build_fake_upstream(behaviour: UpstreamBehaviour) -> Starlette:
    """The Starlette app of the fake server."""

    async def models(_: Request) -> Response:
        return JSONResponse(
            {"object": "list", "data": [{"id": behaviour.model, "object": "model", "created": 0, "owned_by": "fake"}]}
        )

    async def chat(request: Request) -> Response:
        body = await request.json()
        behaviour.last_request = body
        behaviour.chat_calls += 1
        if behaviour.response_delay:
            await asyncio.sleep(behaviour.response_delay)
        failing = behaviour.fail_times is None or behaviour.chat_calls <= behaviour.fail_times
        if behaviour.fail_with and failing:
            return JSONResponse(
                {"error": {"message": behaviour.error_message, "type": "server_error"}},
                status_code=behaviour.fail_with,
            )
        if behaviour.malformed == "not_json":
            return Response("data: {not json\n\n" if body.get("stream") else "{not json", media_type="text/plain")
        words = behaviour.answer.split(" ")
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(words),
            "total_tokens": prompt_tokens + len(words),
        }
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        if not body.get("stream"):
            if behaviour.delay_per_token:
                await asyncio.sleep(behaviour.delay_per_token * len(words))
            return JSONResponse(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": behaviour.model,
                    "choices": []
                    if behaviour.malformed == "empty_choices"
                    else [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": behaviour.answer},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        async def frames() -> AsyncIterator[str]:
            def chunk(delta: dict, finish: str | None = None) -> str:
                payload = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": behaviour.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                return f"data: {json.dumps(payload)}\n\n"

            yield chunk({"role": "assistant", "content": ""})
            finished = False
            try:
                for i, word in enumerate(words):
                    if behaviour.delay_per_token:
                        await asyncio.sleep(behaviour.delay_per_token)
                    yield chunk({"content": word if i == 0 else f" {word}"})
                finished = True
            finally:
                if not finished:
                    behaviour.streams_cut.append(time.monotonic())
            if behaviour.malformed in ("cut_stream", "empty_choices"):
                return  # the connection closes with neither a finish_reason nor [DONE]
            yield chunk({}, "stop")
            if include_usage:
                payload = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": behaviour.model,
                    "choices": [],
                    "usage": usage,
                }
                yield f"data: {json.dumps(payload)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"])])


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving_in_thread(app: ASGIApp, *, start_timeout: float = 60) -> Iterator[str]:
    """Serve an in-process ASGI app with a real uvicorn on a free loopback port, in a background thread, until the
    block ends; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", access_log=False)
    with serving_config_in_thread(config, start_timeout=start_timeout) as base_url:
        yield base_url


@contextmanager
def serving_config_in_thread(config: uvicorn.Config, *, start_timeout: float = 60) -> Iterator[str]:
    """Run a uvicorn server with `config` (on loopback) in a background thread until the block ends; yields its
    base URL."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("in-process server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def running_fake_upstream(behaviour: UpstreamBehaviour | None = None) -> Iterator[tuple[str, UpstreamBehaviour]]:
    """Serve the fake upstream on a loopback port in a background thread; yields `(base_url, behaviour)`."""
    behaviour = behaviour or UpstreamBehaviour()
    with serving_in_thread(build_fake_upstream(behaviour)) as base_url:
        yield f"{base_url}/v1", behaviour


def main() -> None:
    """`python -m bench.fake_upstream --port N [--delay-per-token S]`: serve the fake in this process."""
    import argparse

    parser = argparse.ArgumentParser(description="fake OpenAI-compatible upstream (loopback only)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-per-token", type=float, default=0.0)
    args = parser.parse_args()
    app = build_fake_upstream(UpstreamBehaviour(delay_per_token=args.delay_per_token))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
