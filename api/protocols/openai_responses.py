"""OpenAI's Responses API (`POST /v1/responses`) translated to and from the gateway's turn, at the edge.

A response is a turn of a session: `previous_response_id` names the session and the checkpoint the response
ended at, `conversation` names the session itself. The request's input items become the turn's dialogue, its
`instructions` the system prompt; the answer goes back as output items. Fields the gateway cannot honour are
refused with a 400 that names them.
"""

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolCall, ToolMessage
from pydantic import BaseModel, ConfigDict, Field

from api.errors import OpenAIError
from api.protocols.undeclared import refuse_undeclared, refused
from api.turn_result import TurnResult
from turn.context import GatewayContext


class InputItem(BaseModel):
    """One input item: a message, a function call the model made, or its output."""

    model_config = ConfigDict(extra="allow")

    type: Literal["message", "function_call", "function_call_output"] = "message"
    role: Literal["user", "assistant", "system", "developer"] | None = None
    content: str | list[dict[str, Any]] | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    output: str | None = None
    id: str | None = None
    status: str | None = None


class FunctionTool(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["function"]
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class TextFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text", "json_schema", "json_object"] = "text"
    name: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    description: str | None = None
    strict: bool | None = None


class TextOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: TextFormat | None = None


class ResponseRequest(BaseModel):
    """`POST /v1/responses`, as the `openai` SDK sends it."""

    model_config = ConfigDict(extra="allow")

    model: str
    input: str | list[InputItem]
    instructions: str | None = None
    tools: list[FunctionTool] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    text: TextOptions | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    metadata: dict[str, str] | None = Field(default=None, max_length=16)
    store: bool = True
    previous_response_id: str | None = None
    conversation: str | dict[str, Any] | None = None
    stream: bool = False
    user: str | None = None
    truncation: Literal["disabled"] | None = None

    def conversation_id(self) -> str | None:
        if isinstance(self.conversation, dict):
            named = self.conversation.get("id")
            if not isinstance(named, str):
                raise refused("conversation.id", "must be a string")
            return named
        return self.conversation


def _text(content: str | list[dict[str, Any]] | None, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    parts = []
    for n, part in enumerate(content):
        if part.get("type") not in ("input_text", "output_text", "text") or not isinstance(part.get("text"), str):
            raise refused(f"{where}.content[{n}].type", f"'{part.get('type')}' parts are not supported; text only")
        parts.append(part["text"])
    return "".join(parts)


def input_of(request: ResponseRequest) -> tuple[list[AnyMessage], str | None]:
    """The input as the graph's messages, and the system text its system or developer messages carry."""
    received = {"created_at": datetime.now(UTC).isoformat()}
    items = (
        [InputItem(type="message", role="user", content=request.input)]
        if isinstance(request.input, str)
        else request.input
    )
    messages: list[AnyMessage] = []
    system: list[str] = []
    for index, item in enumerate(items):
        where = f"input[{index}]"
        refuse_undeclared(item, f"{where}.")
        ident = str(uuid.uuid4())
        if item.type == "function_call":
            if not (item.call_id and item.name):
                raise refused(where, "a function_call item needs its call_id and name")
            try:
                arguments = json.loads(item.arguments or "{}")
            except json.JSONDecodeError:
                raise refused(f"{where}.arguments", "must be a JSON object") from None
            if not isinstance(arguments, dict):
                raise refused(f"{where}.arguments", "must be a JSON object")
            call = ToolCall(id=item.call_id, name=item.name, args=arguments)
            messages.append(AIMessage(content="", tool_calls=[call], id=ident, response_metadata=dict(received)))
        elif item.type == "function_call_output":
            if not item.call_id:
                raise refused(where, "a function_call_output item needs the call_id it answers")
            text = item.output or ""
            messages.append(ToolMessage(text, tool_call_id=item.call_id, id=ident, response_metadata=dict(received)))
        elif item.role in ("system", "developer"):
            system.append(_text(item.content, where))
        elif item.role == "assistant":
            messages.append(AIMessage(_text(item.content, where), id=ident, response_metadata=dict(received)))
        else:
            messages.append(HumanMessage(_text(item.content, where), id=ident, response_metadata=dict(received)))
    return messages, "\n\n".join(part for part in system if part) or None


def _tool_choice(choice: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
    if choice is None or isinstance(choice, str):
        return choice
    if choice.get("type") == "function" and isinstance(choice.get("name"), str):
        return {"type": "function", "function": {"name": choice["name"]}}
    raise refused("tool_choice", "only 'auto', 'none', 'required' or a function by name")


def _response_format(text: TextOptions | None) -> dict[str, Any] | None:
    if text is None or text.format is None or text.format.type == "text":
        return None
    refuse_undeclared(text, "text.")
    refuse_undeclared(text.format, "text.format.")
    if text.format.type == "json_object":
        return {"type": "json_object"}
    schema: dict[str, Any] = {"name": text.format.name or "response", "schema": text.format.schema_ or {}}
    if text.format.strict is not None:
        schema["strict"] = text.format.strict
    return {"type": "json_schema", "json_schema": schema}


def context_of(request: ResponseRequest, max_tokens_cap: int) -> GatewayContext:
    """The request's knobs as the turn's (tools and a schema go to the direct path, as with chat completions)."""
    if request.max_output_tokens is not None and request.max_output_tokens > max_tokens_cap:
        raise OpenAIError(400, f"max_output_tokens may be at most {max_tokens_cap}", param="max_output_tokens")
    tools = None
    if request.tools:
        tools = []
        for n, tool in enumerate(request.tools):
            refuse_undeclared(tool, f"tools[{n}].")
            function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters or {"type": "object"}}
            if tool.description:
                function["description"] = tool.description
            if tool.strict is not None:
                function["strict"] = tool.strict
            tools.append({"type": "function", "function": function})
    return GatewayContext(
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=request.max_output_tokens,
        user=request.user,
        end_user=request.user or (request.metadata or {}).get("user_id"),
        tools=tools,
        tool_choice=_tool_choice(request.tool_choice),
        parallel_tool_calls=request.parallel_tool_calls,
        response_format=_response_format(request.text),
    )


def new_response_id() -> str:
    return f"resp_{uuid.uuid4().hex}"


def output_of(answer: AIMessage) -> list[dict[str, Any]]:
    """The answer as output items: a message with its text, then one `function_call` per tool call."""
    items: list[dict[str, Any]] = []
    if answer.text or not answer.tool_calls:
        text = {"type": "output_text", "text": answer.text, "annotations": [], "logprobs": []}
        items.append(
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "role": "assistant",
                "status": "completed",
                "content": [text],
            }
        )
    for call in answer.tool_calls:
        items.append(
            {
                "type": "function_call",
                "id": f"fc_{uuid.uuid4().hex}",
                "call_id": call["id"] or f"call_{uuid.uuid4().hex}",
                "name": call["name"],
                "arguments": json.dumps(call["args"], ensure_ascii=False),
                "status": "completed",
            }
        )
    return items


def response_body(
    request: ResponseRequest,
    response_id: str,
    model: str,
    *,
    result: TurnResult | None,
    conversation: str | None,
    status: str = "completed",
) -> dict[str, Any]:
    """The `response` object (in progress while `result` is None)."""
    usage = None
    if result is not None:
        usage = {
            "input_tokens": result.usage.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": result.usage.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": result.usage.total_tokens,
        }
    incomplete = result is not None and result.finish_reason == "length"
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if incomplete else status,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "error": None,
        "model": model,
        "instructions": request.instructions,
        "output": output_of(result.answer) if result is not None else [],
        "parallel_tool_calls": request.parallel_tool_calls is not False,
        "tool_choice": request.tool_choice or "auto",
        "tools": [tool.model_dump(exclude_none=True) for tool in request.tools or []],
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_output_tokens": request.max_output_tokens,
        "previous_response_id": request.previous_response_id,
        "conversation": {"id": conversation} if conversation else None,
        "metadata": request.metadata or {},
        "store": request.store,
        "text": {
            "format": (
                request.text.format.model_dump(by_alias=True, exclude_none=True)
                if request.text and request.text.format
                else {"type": "text"}
            )
        },
        "truncation": "disabled",
        "usage": usage,
        "session_id": result.session_id if result is not None and result.session_id else None,
    }


def input_items_of(request: ResponseRequest) -> list[dict[str, Any]]:
    """The request's input as stored items (for `GET /v1/responses/{id}/input_items`), each with an id."""
    if isinstance(request.input, str):
        items = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": request.input}]}]
    else:
        items = [item.model_dump(exclude_none=True) for item in request.input]
    return [{"id": item.get("id") or f"item_{uuid.uuid4().hex}", **item} for item in items]
