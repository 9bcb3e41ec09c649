"""Node `generate_answer`: the model's answer to the current turn, with recalled memory as context; on the `rag`
route, an answer grounded in the retrieved passages whose citations the gateway checks."""

from contextlib import nullcontext
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage
from langchain_core.runnables import Runnable
from langgraph.config import get_config
from langgraph.runtime import Runtime

from ingest.lexical import term_overlap
from llm.breaker import CircuitBreaker
from turn.choices import generate_choices
from turn.citations import cited_passages
from turn.context import GatewayContext
from turn.conversation import last_user_text, split_current_turn
from turn.grounded import AnswerText, grounded_answers, not_covered_note
from turn.prompt_building import build_prompt, grounded_turn
from turn.prompts import GATEWAY_SYSTEM_PROMPT, GROUNDED_STOP, GROUNDED_SYSTEM_PROMPT, NO_PASSAGES_NOTE
from turn.state import TurnState


def _joined(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


async def generate_answer(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    *,
    chat_model: BaseChatModel,
    breaker: CircuitBreaker | None = None,
) -> dict[str, Any]:
    """Answer with the gateway prompt, the client's system prompt, recalled memory and the current turn; after
    a search of the index, with the passages (numbered, to cite) placed right before the question.

    Raises whatever the backend raises (or `CircuitOpenError` while the backend keeps failing): the graph's error
    handler, not this node, decides on the fallback.
    """
    _history, current = split_current_turn(state.messages)
    context = runtime.context or GatewayContext()
    model = chat_model.bind(**context.model_kwargs())
    with breaker.guard() if breaker else nullcontext():
        if state.route != "rag" or not state.searched:
            base = _joined(GATEWAY_SYSTEM_PROMPT, state.memory_section)
            prompt = build_prompt(base, state.system_prompt, state.memory_context, current)
            return await generate_choices(model, prompt, context.choices)
        grounded = chat_model.bind(**{**context.model_kwargs(), "stop": grounded_stops(context.stop)})
        return await _grounded(state, runtime, grounded, current, context)


async def _grounded(
    state: TurnState,
    runtime: Runtime[GatewayContext],
    model: Runnable[LanguageModelInput, AIMessage],
    current: list[AnyMessage],
    context: GatewayContext,
) -> dict[str, Any]:
    """The `rag` route's answer. With no relevant passage the gateway says so itself, then the model answers
    from general knowledge. When the client asked for log probabilities, the text must stay the tokens they
    describe, so it is streamed as generated and its citations are only read, not rewritten."""
    sources = state.sources
    passages = [source["text"] for source in sources]
    instructions = GROUNDED_SYSTEM_PROMPT if sources else _joined(GATEWAY_SYSTEM_PROMPT, NO_PASSAGES_NOTE)
    base = _joined(instructions, state.memory_section)
    prompt = build_prompt(base, state.system_prompt, state.memory_context, grounded_turn(current, sources))
    if context.logprobs:
        update = await generate_choices(model, prompt, context.choices)
        cited = cited_passages(update["messages"][0].text, len(passages))
        return {**update, "sources": _marked(sources, cited), "citations": {"checked": False}}
    node = str(get_config()["metadata"]["langgraph_node"])
    answers = await grounded_answers(
        model,
        prompt,
        passages,
        term_overlap,
        count=context.choices,
        preface="" if sources else not_covered_note(last_user_text(current)) + "\n\n",
        write=lambda text: runtime.stream_writer(AnswerText(text, node)),
    )
    return {
        "messages": [answers.first],
        "alternatives": answers.alternatives,
        "sources": _marked(sources, answers.report.cited),
        "citations": {"checked": True, **answers.report.counts()},
    }


def grounded_stops(client_stops: list[str] | None) -> list[str]:
    """The client's stop sequences, then the gateway's, at most four (OpenAI's limit): the client's always
    apply, the gateway's only cut off text that would not be an answer."""
    client = list(client_stops or [])
    return [*client, *(stop for stop in GROUNDED_STOP if stop not in client)][: max(4, len(client))]


def _marked(sources: list[dict[str, Any]], cited: set[int]) -> list[dict[str, Any]]:
    """The sources, each saying whether the answer cites it (`sage.sources[].cited`)."""
    return [{**source, "cited": n in cited} for n, source in enumerate(sources, start=1)]
