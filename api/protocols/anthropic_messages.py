"""Anthropic's Messages API (`POST /v1/messages`) translated to and from the gateway's turn, at the edge.

A request becomes a `TurnRequest` (system prompt, dialogue, knobs) exactly as a chat completion does, so the same
graph, sessions and stream collector answer it; the answer goes back as an Anthropic `message`. Fields the
gateway cannot honour are refused with a 400 that names them, never dropped.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage
from langchain_core.messages.utils import count_tokens_approximately
from pydantic import BaseModel, ConfigDict, Field

from api.errors import OpenAIError
from api.protocols.undeclared import refuse_undeclared, refused
from api.turn_input import TurnRequest, resolve_session_id
from api.turn_result import TurnResult
from api.usage import TokenUsage
from turn.context import GatewayContext

STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use"}
"""OpenAI finish reasons as Anthropic stop reasons."""


class Block(BaseModel):
    """One content block; the fields of every kind the gateway takes, the rest kept to be refused by name."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None
    id: str | None = None
    name: str | None = None
    input: dict[str, Any] | None = None
    tool_use_id: str | None = None
    content: str | list[dict[str, Any]] | None = None
    is_error: bool | None = None
    cache_control: dict[str, Any] | None = None
    """A prompt-caching hint: it changes no answer, so it is taken and has no effect."""


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["user", "assistant"]
    content: str | list[Block]


class ToolIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    description: str | None = None
    input_schema: dict[str, Any]
    type: str | None = None
    cache_control: dict[str, Any] | None = None


class ToolChoiceIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["auto", "any", "tool", "none"]
    name: str | None = None
    disable_parallel_tool_use: bool | None = None


class CountTokensRequest(BaseModel):
    """`POST /v1/messages/count_tokens`: what a message request's prompt is made of."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[MessageIn] = Field(min_length=1)
    system: str | list[Block] | None = None
    tools: list[ToolIn] | None = None
    tool_choice: ToolChoiceIn | None = None


class MessagesRequest(CountTokensRequest):
    """`POST /v1/messages`, as the Anthropic SDK sends it."""

    max_tokens: int = Field(ge=1)
    stop_sequences: list[str] | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: int | None = Field(default=None, ge=0)
    stream: bool = False
    metadata: dict[str, Any] | None = None


def _text_of(blocks: str | list[dict[str, Any]] | None, where: str) -> str:
    """A tool result's content: a string, or text blocks (anything else refused)."""
    if blocks is None or isinstance(blocks, str):
        return blocks or ""
    parts = []
    for n, block in enumerate(blocks):
        if block.get("type") != "text" or not isinstance(block.get("text"), str):
            raise refused(f"{where}.content[{n}]", "a tool result may hold text blocks only")
        parts.append(block["text"])
    return "\n".join(parts)


def _stamped(message: AnyMessage, received: dict[str, Any]) -> AnyMessage:
    """The message with its own id and the time it was received, as the gateway stores every message."""
    message.id = str(uuid.uuid4())
    message.response_metadata = dict(received)
    return message


def _user_messages(blocks: list[Block], where: str) -> list[AnyMessage]:
    """A user turn: its tool results (each a tool message, in order) and then its text."""
    results: list[AnyMessage] = []
    texts = []
    for n, block in enumerate(blocks):
        at = f"{where}.content[{n}]"
        if block.type not in ("text", "tool_result"):
            raise refused(f"{at}.type", f"'{block.type}' blocks are not supported in a user message")
        refuse_undeclared(block, f"{at}.")
        if block.type == "text" and block.text is not None:
            texts.append(block.text)
        elif block.type == "tool_result" and block.tool_use_id:
            status: Literal["success", "error"] = "error" if block.is_error else "success"
            content = _text_of(block.content, at)
            results.append(ToolMessage(content=content, tool_call_id=block.tool_use_id, status=status))
        else:
            raise refused(at, "a text block needs its text, a tool_result block its tool_use_id")
    return [*results, HumanMessage("\n\n".join(texts))] if texts else results


def _assistant_message(blocks: list[Block], where: str) -> AIMessage:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for n, block in enumerate(blocks):
        at = f"{where}.content[{n}]"
        if block.type not in ("text", "tool_use"):
            raise refused(f"{at}.type", f"'{block.type}' blocks are not supported in an assistant message")
        refuse_undeclared(block, f"{at}.")
        if block.type == "text" and block.text is not None:
            texts.append(block.text)
        elif block.type == "tool_use" and block.id and block.name:
            calls.append(ToolCall(id=block.id, name=block.name, args=block.input or {}))
        else:
            raise refused(at, "a text block needs its text, a tool_use block its id and name")
    return AIMessage(content="".join(texts), tool_calls=calls)


def dialogue_of(messages: list[MessageIn]) -> list[AnyMessage]:
    """The request's messages as the graph's."""
    received = {"created_at": datetime.now(UTC).isoformat()}
    dialogue: list[AnyMessage] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        refuse_undeclared(message, f"{where}.")
        blocks = [Block(type="text", text=message.content)] if isinstance(message.content, str) else message.content
        turn = _user_messages(blocks, where) if message.role == "user" else [_assistant_message(blocks, where)]
        dialogue.extend(_stamped(m, received) for m in turn)
    return dialogue


def system_of(system: str | list[Block] | None) -> str | None:
    if system is None or isinstance(system, str):
        return system or None
    texts = []
    for n, block in enumerate(system):
        refuse_undeclared(block, f"system[{n}].")
        if block.type != "text" or block.text is None:
            raise refused(f"system[{n}].type", "the system prompt may hold text blocks only")
        texts.append(block.text)
    return "\n\n".join(texts) or None


def tools_of(tools: list[ToolIn] | None) -> list[dict[str, Any]] | None:
    """Anthropic tools as OpenAI function tools (server tools such as web search are refused)."""
    if not tools:
        return None
    functions = []
    for n, tool in enumerate(tools):
        if tool.type not in (None, "custom"):
            raise refused(f"tools[{n}].type", f"'{tool.type}' tools are not supported; only client tools")
        refuse_undeclared(tool, f"tools[{n}].")
        function: dict[str, Any] = {"name": tool.name, "parameters": tool.input_schema}
        if tool.description:
            function["description"] = tool.description
        functions.append({"type": "function", "function": function})
    return functions


def tool_choice_of(choice: ToolChoiceIn | None) -> tuple[str | dict[str, Any] | None, bool | None]:
    """Anthropic's tool choice as OpenAI's, and whether parallel calls are allowed."""
    if choice is None:
        return None, None
    refuse_undeclared(choice, "tool_choice.")
    parallel = None if choice.disable_parallel_tool_use is None else not choice.disable_parallel_tool_use
    match choice.type:
        case "auto":
            return "auto", parallel
        case "any":
            return "required", parallel
        case "none":
            return "none", parallel
        case _:
            if not choice.name:
                raise refused("tool_choice.name", "a 'tool' choice names the tool")
            return {"type": "function", "function": {"name": choice.name}}, parallel


def _session_requested(request: MessagesRequest, header: str | None) -> str | None:
    named = (request.metadata or {}).get("session_id")
    if named is not None and not isinstance(named, str):
        raise refused("metadata.session_id", "must be a string")
    return named or header


def turn_request(request: MessagesRequest, *, session_id: str | None, max_tokens_cap: int) -> TurnRequest:
    """The request as a turn of the session named by `metadata.session_id` or `X-Session-Id` (else a new one, or
    the one its resent conversation is in)."""
    refuse_undeclared(request, "")
    if request.max_tokens > max_tokens_cap:
        raise OpenAIError(400, f"max_tokens may be at most {max_tokens_cap}", param="max_tokens")
    unknown_metadata = set(request.metadata or {}) - {"user_id", "session_id"}
    if unknown_metadata:
        raise refused(f"metadata.{sorted(unknown_metadata)[0]}", "not supported (user_id and session_id are)")
    resolved, new_session = resolve_session_id(_session_requested(request, session_id))
    tool_choice, parallel = tool_choice_of(request.tool_choice)
    user_id = (request.metadata or {}).get("user_id")
    context = GatewayContext(
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=request.max_tokens,
        stop=request.stop_sequences,
        user=user_id if isinstance(user_id, str) else None,
        end_user=user_id if isinstance(user_id, str) else None,
        tools=tools_of(request.tools),
        tool_choice=tool_choice,
        parallel_tool_calls=parallel,
        upstream_extras={"top_k": request.top_k} if request.top_k is not None else {},
    )
    return TurnRequest(
        session_id=resolved,
        new_session=new_session,
        dialogue=dialogue_of(request.messages),
        system_prompt=system_of(request.system),
        context=context,
    )


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def content_of(answer: AIMessage) -> list[dict[str, Any]]:
    """The answer's text and tool calls as content blocks."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": answer.text}] if answer.text else []
    blocks.extend(
        {
            "type": "tool_use",
            "id": call["id"] or f"toolu_{uuid.uuid4().hex}",
            "name": call["name"],
            "input": call["args"],
        }
        for call in answer.tool_calls
    )
    return blocks or [{"type": "text", "text": ""}]


def usage_out(usage: TokenUsage) -> dict[str, int]:
    return {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}


class MessageOut(BaseModel):
    """An Anthropic `message`, with the gateway's `session_id` beside it."""

    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    model: str
    content: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str | None = None
    usage: dict[str, int]
    session_id: str | None


class TokenCount(BaseModel):
    input_tokens: int


def message_of(result: TurnResult, model: str) -> MessageOut:
    """A finished turn as an Anthropic `message`."""
    return MessageOut(
        id=new_message_id(),
        model=model,
        content=content_of(result.answer),
        stop_reason=STOP_REASONS.get(result.finish_reason, "end_turn"),
        usage=usage_out(result.usage),
        session_id=result.session_id or None,
    )


def count_tokens(request: CountTokensRequest) -> int:
    """The prompt's tokens, counted as the gateway estimates a backend's (about four characters a token)."""
    refuse_undeclared(request, "")
    prompt: list[AnyMessage] = list(dialogue_of(request.messages))
    if (system := system_of(request.system)) is not None:
        prompt.insert(0, SystemMessage(system))
    tools = tools_of(request.tools)
    extra = len(json.dumps(tools)) // 4 if tools else 0
    return count_tokens_approximately(prompt) + extra
