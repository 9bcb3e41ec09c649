"""Several answers to one prompt (a request's `n`), generated as separate calls, so any backend can serve them."""

import asyncio
from collections.abc import Sequence

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage
from langchain_core.runnables import Runnable
from langgraph.constants import TAG_NOSTREAM

from turn.conversation import stamp


async def generate_choices(
    model: Runnable[LanguageModelInput, AIMessage], prompt: Sequence[AnyMessage], count: int
) -> dict[str, list[AIMessage]]:
    """The state update of an answering node: the first answer (streamed to the client as it comes) joins the
    conversation; the other `count - 1`, generated at the same time and kept out of the token stream, are the
    turn's `alternatives` (returned to the client as further choices, never stored as the session's answer)."""
    prompt = list(prompt)
    calls = [model.ainvoke(prompt)]
    calls += [model.ainvoke(prompt, config={"tags": [TAG_NOSTREAM]}) for _ in range(count - 1)]
    first, *others = await asyncio.gather(*calls)
    return {"messages": [stamp(first)], "alternatives": [stamp(other) for other in others]}
