"""Chat-model factory: every backend is reached through `langchain-openai`'s `ChatOpenAI`.

Remote servers (vLLM, Ollama, OpenAI) and the embedded llama.cpp server all speak the OpenAI wire format, so one
client type covers them and token usage, streaming and sampling parameters behave the same everywhere.
"""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessageChunk, BaseMessage, BaseMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import PrivateAttr, SecretStr

from llm.wire import UpstreamRefused, UpstreamWire

NO_KEY = "not-needed"
"""Local servers need no key, but the OpenAI client insists on one being set."""


_PARSE_FAILURES = (ValueError, KeyError, TypeError, IndexError, AttributeError)
"""What langchain-openai and the openai SDK raise on a body they cannot read (bad JSON, a missing or null
`choices`, an `error` object in a 200, a frame of the wrong shape); json and pydantic errors are ValueErrors."""


class MalformedUpstreamError(RuntimeError):
    """The backend answered, but not with a chat completion the gateway can read (or its stream broke off before
    its end), so there is no answer to pass on or store."""


class WireMessagesChatOpenAI(ChatOpenAI):
    """`ChatOpenAI` that gives the openai SDK its messages as they go on the wire.

    langchain-openai already turns the messages into plain OpenAI-format dicts, but the SDK then walks each one
    again against its typed union of message shapes, on the event loop, before sending: 0.28 ms for a
    two-message prompt and 4.3 ms for a 40-message history here, for a body that comes out unchanged. The SDK
    merges `extra_body` into the JSON after that walk, so the messages travel there instead: same bytes, same
    key order (an empty `messages` keeps the key's place and the SDK's required-argument check). Entries a caller
    put in `extra_body` itself still win.

    A `response_format` travels the same way. Given as a parameter, it makes langchain-openai call the SDK's
    `parse()` and beta `stream()` helpers, which refuse any tool not marked `strict` and re-parse the content the
    gateway passes on unchanged anyway; in the body, the request takes the plain `create` path, same bytes.
    """

    _wire: UpstreamWire | None = PrivateAttr(default=None)
    read_timeout_seconds: float = 600.0
    """How long the lean path waits for each read (the SDK's `timeout` is given as `httpx.Timeout`)."""
    connect_timeout_seconds: float = 600.0

    narrows_named_tool_choice: bool = False
    """Send a named `tool_choice` as `required` with only that tool: llama.cpp takes a named choice as `auto`
    (the model may call another tool, or none), while `required` over one tool is held by its grammar."""

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        messages = payload.get("messages")
        if isinstance(messages, list) and messages:
            payload["extra_body"] = {"messages": messages, **(payload.get("extra_body") or {})}
            payload["messages"] = []
        if "response_format" in payload:
            payload["extra_body"] = {"response_format": payload.pop("response_format"), **payload["extra_body"]}
        choice = payload.get("tool_choice")
        if self.narrows_named_tool_choice and isinstance(choice, dict) and payload.get("tools"):
            named = (choice.get("function") or {}).get("name")
            payload["tools"] = [t for t in payload["tools"] if (t.get("function") or {}).get("name") == named]
            payload["tool_choice"] = "required"
        return payload

    def wire(self) -> UpstreamWire:
        """The lean path to the backend (`llm.wire`), made on first use from this model's SDK client."""
        if self._wire is None:
            self._wire = UpstreamWire(
                self.root_async_client,
                timeout_seconds=self.read_timeout_seconds,
                connect_timeout_seconds=self.connect_timeout_seconds,
            )
        return self._wire

    async def aclose(self) -> None:
        """Close the lean path's connections (the SDK's are closed with its client)."""
        if self._wire is not None:
            await self._wire.aclose()

    def _lean(self, payload: dict[str, Any]) -> bool:
        """Whether the lean path sends this request: a plain chat completion whose response the gateway reads
        as is (no Responses API, no response headers wanted), on no transport of the caller's own."""
        if self.http_async_client is not None:
            return False
        return not (self.include_response_headers or self._uses_gateway or self._use_responses_api(payload))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """The completion, or `MalformedUpstreamError` for a body that is not one (`choices: []` included)."""
        try:
            payload = self._get_request_payload(messages, stop=stop, **kwargs)
            try:
                if not self._lean(payload):
                    raise UpstreamRefused("not a plain chat completion", attempted=False)
                result = self._create_chat_result(await self.wire().completion(payload), {})
            except UpstreamRefused as refused:
                if not refused.attempted:
                    result = await super()._agenerate(messages, stop, run_manager, **kwargs)
                else:
                    raw = await self.wire().retrying_client().chat.completions.with_raw_response.create(**payload)
                    result = self._create_chat_result(raw.parse(), {})
        except _PARSE_FAILURES as exc:
            raise MalformedUpstreamError(f"unreadable completion: {exc}") from exc
        if not result.generations:
            raise MalformedUpstreamError("the completion has no choices")
        return result

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """The stream's chunks; `MalformedUpstreamError` for an unreadable frame, and for a stream that closes
        without any choice's `finish_reason` (cut off: what arrived is not a whole answer, so it is not stored)."""
        finished = False
        try:
            async for chunk in self._chunks(messages, stop, run_manager, **kwargs):
                finished = finished or bool((chunk.generation_info or {}).get("finish_reason"))
                yield chunk
        except _PARSE_FAILURES as exc:
            raise MalformedUpstreamError(f"unreadable stream frame: {exc}") from exc
        except aiohttp.ClientError as exc:  # the connection broke after the stream began
            raise MalformedUpstreamError(f"the stream broke off: {exc}") from exc
        if not finished:
            raise MalformedUpstreamError("the stream ended without a finish_reason")

    async def _chunks(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """langchain-openai's stream, its chunks read by the lean path when it can."""
        options = {**kwargs, "stream": True}
        stream_usage = self._should_stream_usage(kwargs.get("stream_usage"), **kwargs)
        options.pop("stream_usage", None)
        if stream_usage:
            options["stream_options"] = {"include_usage": stream_usage}
        payload = self._get_request_payload(messages, stop=stop, **options)
        yielded = False
        try:
            if not self._lean(payload):
                raise UpstreamRefused("not a plain chat completion", attempted=False)
            async for generation in self._generations(self.wire().chunks(payload), run_manager):
                yielded = True
                yield generation
        except UpstreamRefused as refused:
            if yielded:
                raise
            if not refused.attempted:
                async for generation in super()._astream(messages, stop, run_manager, **kwargs):
                    yield generation
            else:
                async for generation in self._generations(self._retried_chunks(payload), run_manager):
                    yield generation

    async def _generations(
        self, chunks: AsyncIterator[dict[str, Any]], run_manager: AsyncCallbackManagerForLLMRun | None
    ) -> AsyncIterator[ChatGenerationChunk]:
        """What `BaseChatOpenAI._astream` makes of each chunk (as a dict), its callback included."""
        chunk_class: type[BaseMessageChunk] = AIMessageChunk
        async for raw in chunks:
            generation = self._convert_chunk_to_generation_chunk(raw, chunk_class, {})
            if generation is None:
                continue
            chunk_class = generation.message.__class__
            if run_manager:
                logprobs = (generation.generation_info or {}).get("logprobs")
                await run_manager.on_llm_new_token(generation.text, chunk=generation, logprobs=logprobs)
            yield generation

    async def _retried_chunks(self, payload: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The stream sent again by the SDK after the lean path's refused attempt, its chunks as dicts."""
        stream = await self.wire().retrying_client().chat.completions.create(**payload)
        async with stream:
            async for typed in stream:
                yield typed.model_dump()


def openai_compatible_chat_model(
    *,
    base_url: str,
    model: str,
    api_key: SecretStr | None,
    timeout_seconds: float,
    connect_timeout_seconds: float,
    max_retries: int,
    narrows_named_tool_choice: bool = False,
) -> BaseChatModel:
    """Build the streaming chat client for one OpenAI-compatible endpoint.

    `stream_usage=True` makes the upstream report real token counts at the end of a stream, which the gateway
    passes on as `usage`.
    """
    return WireMessagesChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=api_key or SecretStr(NO_KEY),
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        max_retries=max_retries,
        stream_usage=True,
        narrows_named_tool_choice=narrows_named_tool_choice,
        read_timeout_seconds=timeout_seconds,
        connect_timeout_seconds=connect_timeout_seconds,
    )


async def close_chat_model(model: BaseChatModel) -> None:
    """Close what a chat model holds open beyond its SDK client (the lean path's connections)."""
    if isinstance(model, WireMessagesChatOpenAI):
        await model.aclose()
