"""Chat-model factory: every backend is reached through `langchain-openai`'s `ChatOpenAI`.

Remote servers (vLLM, Ollama, OpenAI) and the embedded llama.cpp server all speak the OpenAI wire format, so one
client type covers them and token usage, streaming and sampling parameters behave the same everywhere.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

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

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """The completion, or `MalformedUpstreamError` for a body that is not one (`choices: []` included)."""
        try:
            result = await super()._agenerate(messages, stop, run_manager, **kwargs)
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
            async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
                finished = finished or bool((chunk.generation_info or {}).get("finish_reason"))
                yield chunk
        except _PARSE_FAILURES as exc:
            raise MalformedUpstreamError(f"unreadable stream frame: {exc}") from exc
        if not finished:
            raise MalformedUpstreamError("the stream ended without a finish_reason")


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
    )
