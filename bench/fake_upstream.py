"""A fake OpenAI-compatible chat server for tests and benchmarks (loopback only).

It answers every chat request with a fixed text, streamed word by word, and real-looking `usage`; like a capable
model it also calls tools (`tools`, legacy `functions`; the one the question names, with arguments built from
its schema and the question), answers from a tool's result, holds to `response_format` (JSON object, JSON
schema), reports `logprobs` and returns `n` choices. Knobs:
`delay_per_token` (seconds), `response_delay` (seconds before anything is sent: a slow backend), `fail_with`
(an HTTP status to answer with, its error message `error_message`; only the first `fail_times` chat requests when
that is set), `malformed` (a broken answer: a body that is not JSON, `choices: []`, or a stream cut before its
end) and `answers_for` (another answer for a request whose last user message is exactly a given text: one server
can then answer a benchmark's short prompt briefly and its streaming prompt with 500 words).
"""

import asyncio
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from bench.schema_instances import Instances, json_object_for, names_in

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
    answers_for: dict[str, str] = field(default_factory=dict)
    """The answer to a request whose last user message is exactly the key (instead of `answer`)."""
    chat_calls: int = 0
    model: str = "fake-upstream"
    last_request: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every chat request body, in order."""
    streams_cut: list[float] = field(default_factory=list)
    """Monotonic times at which a client went away before a stream ended (the gateway cancelled upstream)."""


@dataclass
class Reply:
    """One choice of the fake's answer: text, tool calls or a legacy function call."""

    content: str | None
    tool_calls: list[dict[str, Any]] | None = None
    function_call: dict[str, Any] | None = None

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "function_call" if self.function_call else "stop"

    def words(self) -> list[str]:
        return (self.content or "").split(" ") if self.content else []


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(part.get("text") or "") for part in content if isinstance(part, dict))
    return str(content or "")


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    return next((_text_of(m) for m in reversed(messages) if m.get("role") == "user"), "")


def _chosen_function(body: dict[str, Any], functions: list[dict[str, Any]], question: str) -> dict[str, Any] | None:
    """The function the fake calls: the named choice, else the one whose name or description best matches the
    question, else the first; None when the request says not to call any."""
    choice = body.get("tool_choice", body.get("function_call"))
    if choice == "none":
        return None
    if isinstance(choice, dict):
        named = (choice.get("function") or {}).get("name") or choice.get("name")
        return next((f for f in functions if f.get("name") == named), functions[0])
    words = set(re.findall(r"[a-z]+", question.lower()))

    def overlap(function: dict[str, Any]) -> int:
        text = f"{function.get('name', '')} {function.get('description', '')}".replace("_", " ").lower()
        return len(words & set(re.findall(r"[a-z]+", text)))

    return max(functions, key=overlap)


def _tool_reply(body: dict[str, Any], messages: list[dict[str, Any]]) -> Reply | None:
    """Tool calls for a request with tools, unless the conversation's last word is a tool's result (then the fake
    answers from it, so agent loops end)."""
    legacy = not body.get("tools") and bool(body.get("functions"))
    functions = [t.get("function") or {} for t in body.get("tools") or []] or list(body.get("functions") or [])
    if not functions or (messages and messages[-1].get("role") in ("tool", "function")):
        return None
    question = _last_user_text(messages)
    function = _chosen_function(body, functions, question)
    if function is None:
        return None
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    names = names_in(question)
    several = body.get("parallel_tool_calls", True) is not False and not legacy and len(names) > 1
    targets = names[:2] if several else [names[0] if names else None]
    calls: list[dict[str, Any]] = [
        {
            "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {
                "name": function.get("name", ""),
                "arguments": json.dumps(Instances(question, name=target).value(parameters), ensure_ascii=False),
            },
        }
        for target in targets
    ]
    if legacy:
        legacy_call: dict[str, Any] = calls[0]["function"]
        return Reply(content=None, function_call=legacy_call)
    return Reply(content=None, tool_calls=calls)


def _format_reply(body: dict[str, Any], messages: list[dict[str, Any]]) -> Reply | None:
    response_format = body.get("response_format") or {}
    question = _last_user_text(messages)
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
        return Reply(content=json.dumps(Instances(question).value(schema), ensure_ascii=False))
    if response_format.get("type") == "json_object":
        # What the prompt writes out (a schema, an example), from the latest system or user message back.
        context = [_text_of(m) for m in reversed(messages) if m.get("role") in ("system", "developer", "user")]
        return Reply(content=json.dumps(json_object_for(question, context), ensure_ascii=False))
    return None


def replies_for(body: dict[str, Any], answer: str) -> list[Reply]:
    """The fake's choices for a request: tool calls, JSON, an answer from a tool's result, or the fixed answer."""
    messages: list[dict[str, Any]] = body.get("messages") or []
    reply = _tool_reply(body, messages) or _format_reply(body, messages)
    if reply is None and messages and messages[-1].get("role") in ("tool", "function"):
        reply = Reply(content=f"The tool says: {_text_of(messages[-1])}")
    reply = reply or Reply(content=answer)
    count = max(1, int(body.get("n") or 1))
    if count == 1 or reply.content is None:
        return [reply] * count
    return [reply] + [Reply(content=f"{reply.content} (choice {i})") for i in range(1, count)]


def _logprobs(tokens: list[str], top: int) -> dict[str, Any]:
    entries = []
    for n, token in enumerate(tokens):
        alternatives = [
            {"token": token if i == 0 else f"{token}{i}", "logprob": -0.1 * (i + 1), "bytes": list(token.encode())}
            for i in range(top)
        ]
        entries.append(
            {"token": token, "logprob": -0.01 * (n + 1), "bytes": list(token.encode()), "top_logprobs": alternatives}
        )
    return {"content": entries, "refusal": None}


def build_fake_upstream(behaviour: UpstreamBehaviour) -> Starlette:
    """The Starlette app of the fake server."""

    async def models(_: Request) -> Response:
        return JSONResponse(
            {"object": "list", "data": [{"id": behaviour.model, "object": "model", "created": 0, "owned_by": "fake"}]}
        )

    async def chat(request: Request) -> Response:
        body = await request.json()
        behaviour.last_request = body
        behaviour.requests.append(body)
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
        answer = behaviour.answers_for.get(_last_user_text(body.get("messages") or []), behaviour.answer)
        replies = replies_for(body, answer)
        logprobs = bool(body.get("logprobs"))
        top = int(body.get("top_logprobs") or 0)
        prompt_tokens = sum(len(_text_of(m).split()) for m in body.get("messages", []))
        completion_tokens = sum(max(1, len(r.words())) for r in replies)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        if not body.get("stream"):
            if behaviour.delay_per_token:
                await asyncio.sleep(behaviour.delay_per_token * completion_tokens)
            choices = [
                {
                    "index": i,
                    "message": {
                        "role": "assistant",
                        "content": reply.content,
                        **({"tool_calls": reply.tool_calls} if reply.tool_calls else {}),
                        **({"function_call": reply.function_call} if reply.function_call else {}),
                    },
                    "finish_reason": reply.finish_reason,
                    "logprobs": _logprobs(_tokens(reply.words()), top) if logprobs and reply.content else None,
                }
                for i, reply in enumerate(replies)
            ]
            return JSONResponse(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": behaviour.model,
                    "choices": [] if behaviour.malformed == "empty_choices" else choices,
                    "usage": usage,
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(
            index: int, delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None
        ) -> str:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": behaviour.model,
                "choices": [{"index": index, "delta": delta, "finish_reason": finish, **(extra or {})}],
            }
            return f"data: {json.dumps(payload)}\n\n"

        def reply_frames(index: int, reply: Reply) -> Iterator[str]:
            yield chunk(index, {"role": "assistant", "content": ""})
            for token in _tokens(reply.words()):
                extra = {"logprobs": _logprobs([token], top)} if logprobs else None
                yield chunk(index, {"content": token}, extra=extra)
            for n, call in enumerate(reply.tool_calls or []):
                head = {"index": n, "id": call["id"], "type": "function"}
                yield chunk(
                    index, {"tool_calls": [{**head, "function": {"name": call["function"]["name"], "arguments": ""}}]}
                )
                arguments = call["function"]["arguments"]
                for piece in (arguments[i : i + 8] for i in range(0, len(arguments), 8)):
                    yield chunk(index, {"tool_calls": [{"index": n, "function": {"arguments": piece}}]})
            if reply.function_call:
                yield chunk(index, {"function_call": {"name": reply.function_call["name"], "arguments": ""}})
                yield chunk(index, {"function_call": {"arguments": reply.function_call["arguments"]}})

        async def frames() -> AsyncIterator[str]:
            finished = False
            try:
                for index, reply in enumerate(replies):
                    for frame in reply_frames(index, reply):
                        if behaviour.delay_per_token and index == 0:
                            await asyncio.sleep(behaviour.delay_per_token)
                        yield frame
                finished = True
            finally:
                if not finished:
                    behaviour.streams_cut.append(time.monotonic())
            if behaviour.malformed in ("cut_stream", "empty_choices"):
                return  # the connection closes with neither a finish_reason nor [DONE]
            for index, reply in enumerate(replies):
                yield chunk(index, {}, reply.finish_reason)
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


def _tokens(words: list[str]) -> list[str]:
    return [word if i == 0 else f" {word}" for i, word in enumerate(words)]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def words_answer(words: int) -> str:
    """An answer exactly `words` words long (the fixed answer's words, repeated): the fake streams one word per
    chunk, so a benchmark knows how many tokens a streamed answer has."""
    vocabulary = DEFAULT_ANSWER.split(" ")
    return " ".join(vocabulary[i % len(vocabulary)] for i in range(words))


def main() -> None:
    """`python -m bench.fake_upstream --port N [--delay-per-token S] [--answer-words N] [--answer-words-for TEXT N]`:
    serve the fake in this process."""
    import argparse

    parser = argparse.ArgumentParser(description="fake OpenAI-compatible upstream (loopback only)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-per-token", type=float, default=0.0)
    parser.add_argument("--answer-words", type=int, default=None, help="answer every request with N words")
    parser.add_argument(
        "--answer-words-for",
        nargs=2,
        action="append",
        default=[],
        metavar=("TEXT", "N"),
        help="answer with N words when the last user message is exactly TEXT (repeatable)",
    )
    args = parser.parse_args()
    behaviour = UpstreamBehaviour(
        delay_per_token=args.delay_per_token,
        answer=words_answer(args.answer_words) if args.answer_words else DEFAULT_ANSWER,
        answers_for={text: words_answer(int(words)) for text, words in args.answer_words_for},
    )
    app = build_fake_upstream(behaviour)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
