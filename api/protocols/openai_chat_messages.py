"""Chat Completions messages: the request's message shapes, their translation into LangChain messages (which the
session stores and langchain-openai sends back to the model), and an answer's tool calls in the OpenAI shape.

Roles: `system` and `developer` become the turn's system prompt; `user` a `HumanMessage`; `assistant` an
`AIMessage` (with `tool_calls`, or a legacy `function_call`); `tool` a `ToolMessage`; legacy `function` a
`FunctionMessage`. Content is a string or a list of parts: text parts are joined, image parts are kept only when
the served model takes images; anything else is refused with a 400 naming the part.
"""

import json
import uuid
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, FunctionMessage, HumanMessage, ToolCall, ToolMessage
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.errors import OpenAIError

MAX_MESSAGE_CHARS = 200_000
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
PROMPT_ROLES = ("system", "developer")
_TEXT_PART_TYPES = {"text", "refusal"}


class ContentPart(BaseModel):
    """One content part. Its type decides which other field it carries; unknown types get a 400, not a drop."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)
    refusal: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)
    image_url: dict[str, Any] | None = None


class FunctionCallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=256)
    arguments: str = Field(max_length=MAX_MESSAGE_CHARS)


class ToolCallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=256)
    type: Literal["function"] = "function"
    function: FunctionCallIn


class ChatMessageIn(BaseModel):
    """One request message, validated loosely here and checked with precise errors in `to_langchain`."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[ContentPart] | None = None
    name: str | None = Field(default=None, max_length=256)
    tool_calls: list[ToolCallIn] | None = None
    tool_call_id: str | None = Field(default=None, max_length=256)
    function_call: FunctionCallIn | None = None
    refusal: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)

    @field_validator("content")
    @classmethod
    def _bounded(cls, value: str | list[ContentPart] | None) -> str | list[ContentPart] | None:
        if isinstance(value, str) and len(value) > MAX_MESSAGE_CHARS:
            raise ValueError(f"message content is longer than {MAX_MESSAGE_CHARS} characters")
        return value

    def text(self) -> str:
        """The message text, text parts joined (only for roles whose parts are all text)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or part.refusal or "" for part in self.content)


def _refuse(param: str, message: str, code: str = "invalid_message") -> OpenAIError:
    return OpenAIError(400, f"{param}: {message}", param=param, code=code)


def _check_parts(index: int, message: ChatMessageIn, *, images: bool, vision: bool) -> None:
    if message.content is None or isinstance(message.content, str):
        return
    for n, part in enumerate(message.content):
        where = f"messages[{index}].content[{n}]"
        if part.type in _TEXT_PART_TYPES:
            if (part.text if part.type == "text" else part.refusal) is None:
                raise _refuse(where, f"a '{part.type}' part needs its '{part.type}' field")
            continue
        if part.type == "image_url" and images:
            if not vision:
                raise _refuse(
                    where,
                    "the served model takes no images (an operator declares a vision model with SAGE_CHAT_VISION)",
                    "unsupported_content",
                )
            if not part.image_url or not isinstance(part.image_url.get("url"), str):
                raise _refuse(where, "an 'image_url' part needs image_url.url")
            continue
        kind = "image" if part.type == "image_url" else part.type
        raise _refuse(
            where, f"'{kind}' content parts are not accepted in a {message.role} message", "unsupported_content"
        )


def _user_content(message: ChatMessageIn) -> str | list[str | dict[str, Any]]:
    if not isinstance(message.content, list) or all(p.type == "text" for p in message.content):
        return message.text()
    return [
        {"type": "text", "text": part.text or ""}
        if part.type == "text"
        else {"type": "image_url", "image_url": part.image_url}
        for part in message.content
    ]


def _tool_call(index: int, n: int, call: ToolCallIn) -> ToolCall:
    try:
        args = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError:
        args = None
    if not isinstance(args, dict):
        raise _refuse(f"messages[{index}].tool_calls[{n}].function.arguments", "must be a JSON object")
    return ToolCall(name=call.function.name, args=args, id=call.id)


def _refuse_unknown_fields(index: int, message: ChatMessageIn) -> None:
    for name in message.model_extra or {}:
        raise _refuse(f"messages[{index}].{name}", "not a field of a Chat Completions message", "unknown_parameter")


def _allowed_fields(index: int, message: ChatMessageIn) -> None:
    extras = {
        "tool_calls": message.tool_calls is not None and message.role != "assistant",
        "function_call": message.function_call is not None and message.role != "assistant",
        "tool_call_id": message.tool_call_id is not None and message.role != "tool",
        "refusal": message.refusal is not None and message.role != "assistant",
    }
    for name, misplaced in extras.items():
        if misplaced:
            raise _refuse(f"messages[{index}].{name}", f"not accepted in a {message.role} message")


def to_langchain(index: int, message: ChatMessageIn, *, vision: bool, received: dict[str, Any]) -> AnyMessage:
    """The request's message `index` (not a system prompt) as the LangChain message the session stores."""
    _refuse_unknown_fields(index, message)
    _allowed_fields(index, message)
    _check_parts(index, message, images=message.role == "user", vision=vision)
    ident, meta = str(uuid.uuid4()), dict(received)
    if message.role == "user":
        return HumanMessage(_user_content(message), id=ident, name=message.name, response_metadata=meta)
    if message.role == "assistant":
        calls = [_tool_call(index, n, call) for n, call in enumerate(message.tool_calls or [])]
        extra = {"function_call": message.function_call.model_dump()} if message.function_call else {}
        if message.content is None and not calls and not extra and message.refusal is None:
            raise _refuse(
                f"messages[{index}].content", "an assistant message needs content, tool_calls or function_call"
            )
        text = message.text() or message.refusal or ""
        return AIMessage(
            text, id=ident, name=message.name, tool_calls=calls, additional_kwargs=extra, response_metadata=meta
        )
    if message.role == "tool":
        if not message.tool_call_id:
            raise _refuse(f"messages[{index}].tool_call_id", "a tool message needs the id of the call it answers")
        return ToolMessage(message.text(), id=ident, tool_call_id=message.tool_call_id, response_metadata=meta)
    if message.role == "function":
        if not message.name:
            raise _refuse(f"messages[{index}].name", "a function message needs the function's name")
        return FunctionMessage(content=message.text(), id=ident, name=message.name, response_metadata=meta)
    raise _refuse(f"messages[{index}].role", f"'{message.role}' is not one of {', '.join(ROLES)}")


def system_text(index: int, message: ChatMessageIn) -> str:
    """A system or developer message's text (text parts only)."""
    _refuse_unknown_fields(index, message)
    _allowed_fields(index, message)
    _check_parts(index, message, images=False, vision=False)
    if message.name is not None:
        raise _refuse(f"messages[{index}].name", "names are not kept for system prompts")
    return message.text()


def tool_calls_out(message: AIMessage) -> list[dict[str, Any]] | None:
    """The answer's tool calls in the OpenAI shape (arguments as a JSON string), None when it made none."""
    calls: list[dict[str, Any]] = [
        {
            "id": call.get("id") or f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call["args"], ensure_ascii=False)},
        }
        for call in message.tool_calls
    ]
    calls += [
        {
            "id": call.get("id") or f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {"name": call.get("name") or "", "arguments": call.get("args") or ""},
        }
        for call in message.invalid_tool_calls
    ]
    return calls or None


def function_call_out(message: AIMessage) -> dict[str, Any] | None:
    """A legacy `function_call` of the answer, None when it made none."""
    call = message.additional_kwargs.get("function_call")
    return dict(call) if isinstance(call, dict) else None
