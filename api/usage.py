"""Token usage of a turn: what the backend reported, or an estimate (flagged) when it reported none."""

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.messages import AIMessage, AnyMessage
from langchain_core.messages.utils import count_tokens_approximately


@dataclass(frozen=True)
class TokenUsage:
    """Tokens in and out of one answer; each protocol names them its own way."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated: bool = False
    """The backend reported no usage: these are approximate counts."""


def _one(answer: AIMessage, prompt: Sequence[AnyMessage]) -> TokenUsage:
    reported = answer.usage_metadata
    if reported:
        return TokenUsage(reported["input_tokens"], reported["output_tokens"], reported["total_tokens"])
    prompt_tokens, completion_tokens = count_tokens_approximately(list(prompt)), count_tokens_approximately([answer])
    return TokenUsage(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens, estimated=True)


def usage_of(answer: AIMessage, prompt: Sequence[AnyMessage], alternatives: Sequence[AIMessage] = ()) -> TokenUsage:
    """Token usage as the backend reported it; an estimate (flagged) only when it reported none. Several choices
    count the prompt once (as OpenAI does for `n`) and every choice's completion."""
    first = _one(answer, prompt)
    others = [_one(other, prompt) for other in alternatives]
    completion = first.completion_tokens + sum(u.completion_tokens for u in others)
    estimated = first.estimated or any(u.estimated for u in others)
    return TokenUsage(first.prompt_tokens, completion, first.prompt_tokens + completion, estimated=estimated)
