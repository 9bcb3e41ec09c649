"""OpenAI Chat Completions: the wire models (lenient in, strict out) and the translation to and from a turn.

`turn_request` turns a request into the protocol-neutral `TurnRequest` (system and developer messages become the
turn's system prompt, never stored; user and assistant messages are the dialogue), and `completion_of` shapes a
finished turn as a `chat.completion`. Streams are encoded in `api.protocols.openai_chat_stream`.
"""

import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.errors import OpenAIError
from api.extension import sage_extension
from api.turn_input import TurnRequest, resolve_session_id
from api.turn_result import TurnResult
from api.usage import TokenUsage
from turn.context import GatewayContext

MAX_MESSAGES = 1000
MAX_MESSAGE_CHARS = 200_000


class TextPart(BaseModel):
    """A text content part; other part types (images, audio) are refused with a 400."""

    model_config = ConfigDict(extra="allow")
    type: Literal["text"]
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class ChatMessageIn(BaseModel):
    """One request message. `developer` is OpenAI's newer name for `system`."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = Field(default=None)
    name: str | None = Field(default=None, max_length=256)

    @field_validator("content")
    @classmethod
    def _bounded(cls, value: str | list[TextPart] | None) -> str | list[TextPart] | None:
        if isinstance(value, str) and len(value) > MAX_MESSAGE_CHARS:
            raise ValueError(f"message content is longer than {MAX_MESSAGE_CHARS} characters")
        return value

    def text(self) -> str:
        """The message text, content parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class SageOptions(BaseModel):
    """The `sage` request extension: gateway options an OpenAI client never sends."""

    model_config = ConfigDict(extra="allow")
    steps: bool = Field(default=False, description="Streams also carry `sage.step` events, one per graph node.")


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions` body, plus the `session_id` and `sage` extensions."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(default="sage-default", min_length=1, max_length=256)
    messages: list[ChatMessageIn] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = Field(default=None, max_length=256)
    n: int = Field(default=1, ge=1, le=1, description="Only one choice per request is supported.")
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
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: ChatMessageOut
    finish_reason: str
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None
    session_id: str
    sage: dict[str, Any] = Field(default_factory=dict)


def new_completion_id() -> str:
    """A unique id per completion (never reused across a session)."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def unix_now() -> int:
    return int(time.time())


def _message(incoming: ChatMessageIn, received: dict[str, Any]) -> AnyMessage:
    kind = HumanMessage if incoming.role == "user" else AIMessage
    return kind(incoming.text(), id=str(uuid.uuid4()), name=incoming.name, response_metadata=received)


def turn_request(request: ChatCompletionRequest, *, session_id: str | None, max_tokens_cap: int) -> TurnRequest:
    """The request as a turn of the session `session_id` (the body's or header's; None: a new session)."""
    max_tokens = request.max_completion_tokens or request.max_tokens
    if max_tokens is not None and max_tokens > max_tokens_cap:
        raise OpenAIError(
            400, f"max_tokens may be at most {max_tokens_cap}", param="max_tokens", code="max_tokens_too_large"
        )
    resolved, new_session = resolve_session_id(session_id)
    received = {"created_at": datetime.now(UTC).isoformat()}
    system_parts = [m.text() for m in request.messages if m.role in ("system", "developer")]
    context = GatewayContext(
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=max_tokens,
        stop=request.stop if isinstance(request.stop, list) else None,
        seed=request.seed,
        user=request.user,
    )
    return TurnRequest(
        session_id=resolved,
        new_session=new_session,
        dialogue=[_message(m, received) for m in request.messages if m.role in ("user", "assistant")],
        system_prompt="\n\n".join(p for p in system_parts if p) or None,
        context=context,
        steps=bool(request.sage and request.sage.steps),
    )


def completion_of(result: TurnResult, model: str) -> ChatCompletion:
    """A finished turn as a `chat.completion`, with the `session_id` and `sage` extensions."""
    message = ChatMessageOut(content=result.answer.text)
    return ChatCompletion(
        id=new_completion_id(),
        created=unix_now(),
        model=model,
        choices=[Choice(message=message, finish_reason=result.finish_reason)],
        usage=Usage.of(result.usage),
        session_id=result.session_id,
        sage=sage_extension(result),
    )
