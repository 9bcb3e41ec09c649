"""OpenAI Chat Completions: the wire models and the translation to and from a turn.

`turn_request` turns a request into the protocol-neutral `TurnRequest`: system and developer messages become the
turn's system prompt (never stored), the other messages the dialogue, and every other field is honoured or
refused by `api.protocols.openai_chat_fields` (nothing is dropped). `completion_of` shapes a finished turn as a
`chat.completion`, tool calls and several choices included. Streams are encoded in
`api.protocols.openai_chat_stream`.
"""

import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.errors import OpenAIError
from api.extension import sage_extension
from api.protocols.openai_chat_fields import CHAT_COMPLETION_FIELDS, EXTENSION_FIELDS, UPSTREAM_EXTRAS
from api.protocols.openai_chat_messages import (
    PROMPT_ROLES,
    ChatMessageIn,
    function_call_out,
    system_text,
    to_langchain,
    tool_calls_out,
)
from api.schemas.omitted import absent
from api.turn_input import TurnRequest, resolve_session_id
from api.turn_result import TurnResult, finish_reason_of
from api.usage import TokenUsage
from config.sections import ModelCapabilities
from turn.context import GatewayContext

MAX_MESSAGES = 1000
MAX_TOOLS = 128
TOOL_CHOICES = ("none", "auto", "required")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    include_usage: bool = False
    include_obfuscation: bool | None = Field(
        default=None, description="Accepted; the gateway never pads its chunks, so there is nothing to turn off."
    )


class SageOptions(BaseModel):
    """The `sage` request extension: gateway options an OpenAI client never sends."""

    model_config = ConfigDict(extra="forbid")
    steps: bool = Field(default=False, description="Streams also carry `sage.step` events, one per graph node.")


class FunctionSpec(BaseModel):
    """A function the model may call (the `function` of a tool, or a legacy `functions` entry)."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ToolSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    function: FunctionSpec | None = None


class JsonSchemaFormat(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions` body, plus the `session_id` and `sage` extensions. Fields it does not declare
    are kept (`model_extra`) so that `turn_request` can refuse them by name."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(default="sage-default", min_length=1, max_length=256)
    messages: list[ChatMessageIn] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    store: bool | None = None
    n: int | None = Field(default=None, ge=1, le=128)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = Field(default=None, max_length=256)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, int] | None = Field(default=None, max_length=1024)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    tools: list[ToolSpec] | None = Field(default=None, max_length=MAX_TOOLS)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    functions: list[FunctionSpec] | None = Field(default=None, max_length=MAX_TOOLS)
    function_call: str | dict[str, Any] | None = None
    response_format: ResponseFormat | None = None
    metadata: dict[str, str] | None = Field(default=None, max_length=16)
    service_tier: str | None = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    prediction: dict[str, Any] | None = None
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    safety_identifier: str | None = Field(default=None, max_length=256)
    modalities: list[str] | None = None
    audio: Any = None
    web_search_options: Any = None
    moderation: Any = None
    session_id: str | None = Field(default=None, max_length=128)
    sage: SageOptions | None = None

    @field_validator("stop")
    @classmethod
    def _stop_list(cls, value: str | list[str] | None) -> list[str] | None:
        if value is None:
            return None
        stops = [value] if isinstance(value, str) else value
        if len(stops) > 4:
            raise ValueError("at most 4 stop sequences")
        return stops

    @field_validator("logit_bias")
    @classmethod
    def _bias_range(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value and any(not -100 <= bias <= 100 for bias in value.values()):
            raise ValueError("biases must be between -100 and 100")
        return value


def _refused(param: str, message: str, code: str = "unsupported_parameter") -> OpenAIError:
    return OpenAIError(400, f"{param}: {message}", param=param, code=code)


def _check_fields(request: ChatCompletionRequest, capabilities: ModelCapabilities) -> None:
    """Refuse, by name, every field the gateway cannot honour for this model."""
    for name in request.model_extra or {}:
        if name not in CHAT_COMPLETION_FIELDS and name not in EXTENSION_FIELDS:
            raise _refused(name, "not a Chat Completions parameter", "unknown_parameter")
    for name, rule in CHAT_COMPLETION_FIELDS.items():
        if rule.handling == "refused" and getattr(request, name, None) is not None:
            raise _refused(name, f"not supported: {rule.why}")
    if request.modalities and set(request.modalities) - {"text"}:
        raise _refused("modalities", "only ['text'] is served: the model produces no audio")
    needs: list[tuple[str, bool, str]] = [
        ("tools", bool(request.tools) and not capabilities.tools, "the served model does not call tools"),
        ("functions", bool(request.functions) and not capabilities.tools, "the served model does not call tools"),
        (
            "response_format",
            request.response_format is not None
            and request.response_format.type != "text"
            and not capabilities.json_schema,
            "the served model cannot be held to a JSON format",
        ),
        ("logprobs", bool(request.logprobs) and not capabilities.logprobs, "the served model reports no logprobs"),
        ("n", (request.n or 1) > capabilities.max_choices, f"at most {capabilities.max_choices} choices"),
    ]
    for param, refused, why in needs:
        if refused:
            raise _refused(param, why)
    _check_tool_fields(request)
    if request.top_logprobs is not None and not request.logprobs:
        raise _refused("top_logprobs", "needs logprobs: true", "invalid_parameter")
    if request.stream_options is not None and not request.stream:
        raise _refused("stream_options", "only allowed with stream: true", "invalid_parameter")
    if (
        request.response_format
        and request.response_format.type == "json_schema"
        and not request.response_format.json_schema
    ):
        raise _refused("response_format.json_schema", "a json_schema format needs its schema", "invalid_parameter")


def _check_tool_fields(request: ChatCompletionRequest) -> None:
    for n, tool in enumerate(request.tools or []):
        if tool.type != "function" or tool.function is None:
            raise _refused(f"tools[{n}]", "only function tools ({'type': 'function', 'function': {...}}) are served")
    names = {tool.function.name for tool in request.tools or [] if tool.function}
    for field_name, choice, available in (
        ("tool_choice", request.tool_choice, names),
        ("function_call", request.function_call, {f.name for f in request.functions or []}),
    ):
        if choice is None:
            continue
        if not available:
            raise _refused(
                field_name, f"needs {'tools' if field_name == 'tool_choice' else 'functions'}", "invalid_parameter"
            )
        if isinstance(choice, str):
            allowed = TOOL_CHOICES if field_name == "tool_choice" else ("none", "auto")
            if choice not in allowed:
                raise _refused(
                    field_name, f"must be one of {', '.join(allowed)} or a named function", "invalid_parameter"
                )
            continue
        named = (choice.get("function") or {}).get("name") if field_name == "tool_choice" else choice.get("name")
        if choice.get("type", "function") == "function" and named not in available:
            raise _refused(field_name, f"names no function of the request: {named!r}", "invalid_parameter")


def _dump(values: list[Any] | BaseModel | None) -> Any:
    if values is None:
        return None
    if isinstance(values, list):
        return [value.model_dump(exclude_unset=True, by_alias=True) for value in values]
    return values.model_dump(exclude_unset=True, by_alias=True)


def _context(request: ChatCompletionRequest, max_tokens: int | None) -> GatewayContext:
    extras = {name: getattr(request, name) for name in UPSTREAM_EXTRAS if getattr(request, name) is not None}
    return GatewayContext(
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=max_tokens,
        stop=request.stop if isinstance(request.stop, list) else None,
        seed=request.seed,
        user=request.user,
        end_user=request.user or (request.metadata or {}).get("user_id"),
        frequency_penalty=request.frequency_penalty,
        presence_penalty=request.presence_penalty,
        logit_bias=request.logit_bias,
        logprobs=request.logprobs,
        top_logprobs=request.top_logprobs,
        tools=_dump(request.tools),
        tool_choice=request.tool_choice,
        parallel_tool_calls=request.parallel_tool_calls,
        functions=_dump(request.functions),
        function_call=request.function_call,
        response_format=_dump(request.response_format),
        choices=request.n or 1,
        upstream_extras=extras,
    )


def turn_request(
    request: ChatCompletionRequest,
    *,
    session_id: str | None,
    max_tokens_cap: int,
    capabilities: ModelCapabilities | None = None,
) -> TurnRequest:
    """The request as a turn of the session `session_id` (the body's or header's; None: no session named, so the
    conversation the client resends picks one, or a new one is made)."""
    _check_fields(request, capabilities or ModelCapabilities())
    max_tokens = request.max_completion_tokens or request.max_tokens
    if max_tokens is not None and max_tokens > max_tokens_cap:
        param = "max_completion_tokens" if request.max_completion_tokens else "max_tokens"
        raise OpenAIError(400, f"{param} may be at most {max_tokens_cap}", param=param, code="max_tokens_too_large")
    store = request.store is not False
    if not store and session_id is not None:
        raise _refused(
            "store", "store: false keeps nothing, so it cannot continue a named session", "invalid_parameter"
        )
    resolved, new_session = resolve_session_id(session_id)
    received = {"created_at": datetime.now(UTC).isoformat()}
    vision = bool(capabilities and capabilities.vision)
    system_parts = [system_text(i, m) for i, m in enumerate(request.messages) if m.role in PROMPT_ROLES]
    dialogue = [
        to_langchain(i, m, vision=vision, received=received)
        for i, m in enumerate(request.messages)
        if m.role not in PROMPT_ROLES
    ]
    return TurnRequest(
        session_id=resolved,
        new_session=new_session,
        dialogue=dialogue,
        system_prompt="\n\n".join(p for p in system_parts if p) or None,
        context=_context(request, max_tokens),
        steps=bool(request.sage and request.sage.steps),
        store=store,
    )


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, usage: TokenUsage) -> "Usage":
        return cls(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
        )


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    refusal: None = None
    tool_calls: list[dict[str, Any]] | None = Field(default=None, exclude_if=absent)
    function_call: dict[str, Any] | None = Field(default=None, exclude_if=absent)


class Choice(BaseModel):
    index: int = 0
    message: ChatMessageOut
    finish_reason: str
    logprobs: dict[str, Any] | None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None
    session_id: str | None
    sage: dict[str, Any] = Field(default_factory=dict)


def new_completion_id() -> str:
    """A unique id per completion (never reused across a session)."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def unix_now() -> int:
    return int(time.time())


def message_out(answer: AIMessage) -> ChatMessageOut:
    calls = tool_calls_out(answer)
    function_call = function_call_out(answer)
    content = answer.text or (None if calls or function_call else "")
    return ChatMessageOut(content=content, tool_calls=calls, function_call=function_call)


def completion_of(result: TurnResult, model: str) -> ChatCompletion:
    """A finished turn as a `chat.completion`, with the `session_id` and `sage` extensions."""
    answers = [result.answer, *result.alternatives]
    choices = [
        Choice(
            index=index,
            message=message_out(answer),
            finish_reason=result.finish_reason if index == 0 else finish_reason_of(answer),
            logprobs=answer.response_metadata.get("logprobs"),
        )
        for index, answer in enumerate(answers)
    ]
    return ChatCompletion(
        id=new_completion_id(),
        created=unix_now(),
        model=model,
        choices=choices,
        usage=Usage.of(result.usage),
        session_id=result.session_id or None,
        sage=sage_extension(result),
    )
