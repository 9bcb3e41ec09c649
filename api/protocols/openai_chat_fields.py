"""What the gateway does with each field of a Chat Completions request: the rule is that none is dropped.

Every field of the `openai` SDK's `completion_create_params` is listed here once, with how it is handled:
`gateway` (the gateway itself acts on it), `upstream` (sent on to the model backend as the client sent it) or
`refused` (a 400 naming it, with the reason). A field the table does not know is refused too, so a new SDK field
never disappears on the way. `tests/unit/test_chat_fields.py` walks the table against the SDK and the wire.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

Handling = Literal["gateway", "upstream", "refused"]


@dataclass(frozen=True)
class FieldRule:
    handling: Handling
    why: str
    opaque: bool = False
    """An upstream field the gateway does not interpret at all (sent on untouched)."""


def _gateway(why: str) -> FieldRule:
    return FieldRule("gateway", why)


def _upstream(why: str) -> FieldRule:
    return FieldRule("upstream", why)


def _opaque(why: str) -> FieldRule:
    return FieldRule("upstream", why, opaque=True)


def _refused(why: str) -> FieldRule:
    return FieldRule("refused", why)


CHAT_COMPLETION_FIELDS: Final[Mapping[str, FieldRule]] = {
    "messages": _gateway("the conversation, merged with the session's stored history"),
    "model": _gateway("one of the ids of GET /v1/models"),
    "stream": _gateway("answer as server-sent events"),
    "stream_options": _gateway("include_usage adds the usage chunk"),
    "store": _gateway("false: the turn is answered and nothing is kept (no session)"),
    "n": _gateway("several choices, generated one after another (up to SAGE_CHAT_MAX_CHOICES)"),
    "temperature": _upstream("sampling"),
    "top_p": _upstream("sampling"),
    "max_tokens": _upstream("answer length bound (at most SAGE_CHAT_MAX_TOKENS_CAP)"),
    "max_completion_tokens": _upstream("answer length bound (at most SAGE_CHAT_MAX_TOKENS_CAP)"),
    "stop": _upstream("stop sequences"),
    "seed": _upstream("sampling seed"),
    "user": _upstream("end-user id"),
    "frequency_penalty": _upstream("sampling"),
    "presence_penalty": _upstream("sampling"),
    "logit_bias": _upstream("sampling"),
    "logprobs": _upstream("token log probabilities, when the model reports them (SAGE_CHAT_LOGPROBS)"),
    "top_logprobs": _upstream("token log probabilities, when the model reports them (SAGE_CHAT_LOGPROBS)"),
    "tools": _upstream("function calling, answered on the direct path (SAGE_CHAT_TOOLS)"),
    "tool_choice": _upstream("function calling"),
    "parallel_tool_calls": _upstream("function calling"),
    "functions": _upstream("legacy function calling, answered on the direct path (SAGE_CHAT_TOOLS)"),
    "function_call": _upstream("legacy function calling"),
    "response_format": _upstream("JSON output, answered on the direct path (SAGE_CHAT_JSON_SCHEMA)"),
    "metadata": _opaque("tags for the backend's own records"),
    "service_tier": _opaque("the backend's processing tier"),
    "reasoning_effort": _opaque("for reasoning models"),
    "verbosity": _opaque("for models that take it"),
    "prediction": _opaque("predicted output"),
    "prompt_cache_key": _opaque("the backend's prompt cache"),
    "prompt_cache_retention": _opaque("the backend's prompt cache"),
    "prompt_cache_options": _opaque("the backend's prompt cache"),
    "safety_identifier": _opaque("end-user id for the backend's abuse checks"),
    "modalities": _opaque("only text output is served: ['text'] is sent on, audio is refused"),
    "audio": _refused("the served model produces no audio"),
    "web_search_options": _refused("the gateway has no web search"),
    "moderation": _refused("the gateway runs no moderation"),
}
"""Every Chat Completions request field and what happens to it."""

EXTENSION_FIELDS: Final[Mapping[str, FieldRule]] = {
    "session_id": _gateway("the session to create or continue (also the X-Session-Id header)"),
    "sage": _gateway("gateway options ({'steps': true} streams the graph's steps)"),
}
"""The gateway's own request fields, beside OpenAI's."""

UPSTREAM_EXTRAS: Final = tuple(name for name, rule in CHAT_COMPLETION_FIELDS.items() if rule.opaque)
"""Upstream fields with no meaning to the gateway: sent on as they came, in the run's `upstream_extras`."""
