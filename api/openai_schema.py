"""OpenAI chat-completions wire models: lenient in (unknown fields ignored), strict out."""

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "sage"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def new_completion_id() -> str:
    """A unique id per completion (never reused across a session)."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def unix_now() -> int:
    return int(time.time())
