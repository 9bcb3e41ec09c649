"""Per-run knobs: JSON-typed, every one defaulted, because Studio and `langgraph dev` can only send JSON."""

from dataclasses import dataclass, field
from typing import Any

from langgraph.config import get_config


@dataclass(kw_only=True)
class GatewayContext:
    """Runtime context of one turn (`context_schema`). Live handles never go here; see `graph.resources`."""

    session_id: str = field(
        default="", metadata={"description": "The session this turn belongs to; empty: the run's thread."}
    )
    memory_backend: str = field(
        default="",
        metadata={"description": "The session's memory backend when the caller knows it; empty: look it up."},
    )
    top_k: int | None = field(
        default=None,
        metadata={"description": "How many passages retrieval considers; empty: the operator's SAGE_RAG_TOP_K."},
    )
    temperature: float | None = field(default=None, metadata={"description": "Sampling temperature."})
    top_p: float | None = field(default=None, metadata={"description": "Nucleus sampling mass."})
    max_tokens: int | None = field(default=None, metadata={"description": "Upper bound on answer tokens."})
    stop: list[str] | None = field(default=None, metadata={"description": "Stop sequences."})
    seed: int | None = field(default=None, metadata={"description": "Sampling seed, where the backend has one."})
    user: str | None = field(default=None, metadata={"description": "End-user id passed through to the backend."})
    end_user: str | None = field(
        default=None,
        metadata={"description": "The end user whose memory this is, within the key (`user` or `metadata.user_id`)."},
    )
    memory_user: str | None = field(
        default=None,
        metadata={"description": "The user-scope memory of this turn (key owner and end user); empty: none."},
    )
    frequency_penalty: float | None = field(default=None, metadata={"description": "Penalty on repeated tokens."})
    presence_penalty: float | None = field(default=None, metadata={"description": "Penalty on tokens already used."})
    logit_bias: dict[str, int] | None = field(default=None, metadata={"description": "Token id -> bias."})
    logprobs: bool | None = field(default=None, metadata={"description": "Report token log probabilities."})
    top_logprobs: int | None = field(default=None, metadata={"description": "Alternatives per token reported."})
    tools: list[dict[str, Any]] | None = field(
        default=None, metadata={"description": "OpenAI function tools the model may call (the direct path answers)."}
    )
    tool_choice: str | dict[str, Any] | None = field(
        default=None, metadata={"description": "none, auto, required or a named tool."}
    )
    parallel_tool_calls: bool | None = field(default=None, metadata={"description": "Allow several calls at once."})
    functions: list[dict[str, Any]] | None = field(default=None, metadata={"description": "Legacy function tools."})
    function_call: str | dict[str, Any] | None = field(default=None, metadata={"description": "Legacy choice."})
    response_format: dict[str, Any] | None = field(
        default=None, metadata={"description": "OpenAI response_format (json_object / json_schema: the direct path)."}
    )
    choices: int = field(default=1, metadata={"description": "How many answers to generate (request `n`)."})
    upstream_extras: dict[str, Any] = field(
        default_factory=dict, metadata={"description": "Other request fields sent on to the backend unchanged."}
    )

    @property
    def wants_direct_answer(self) -> bool:
        """The answer must be a tool call or JSON: no retrieved passages or workflow text may shape it."""
        structured = (self.response_format or {}).get("type", "text") != "text"
        return bool(self.tools or self.functions or structured)

    def model_kwargs(self) -> dict[str, object]:
        """The OpenAI request parameters the client set, ready to bind onto the chat model call."""
        values: dict[str, object] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "seed": self.seed,
            "user": self.user,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "logit_bias": self.logit_bias,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "tools": self.tools,
            "tool_choice": self.tool_choice,
            "parallel_tool_calls": self.parallel_tool_calls,
            "functions": self.functions,
            "function_call": self.function_call,
            "response_format": self.response_format,
            # Fields the chat client has no parameter for (and `metadata`, which LangChain takes for its own
            # tracing) travel in the body as they came.
            "extra_body": dict(self.upstream_extras) or None,
        }
        return {name: value for name, value in values.items() if value is not None}


def session_id_of(context: GatewayContext) -> str:
    """The turn's session: the context's, or else the thread the run is on (a run started from Studio or the
    LangGraph SDK names no session, and its thread is the session); empty outside a run on a thread."""
    if context.session_id:
        return context.session_id
    try:
        configurable = get_config().get("configurable", {})
    except RuntimeError:  # not inside a runnable context
        return ""
    thread_id = configurable.get("thread_id")
    return str(thread_id) if thread_id else ""
