"""Node `retrieve`: find the documentation passages the answer should rest on."""

from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from config.sections import RetrievalConfig
from ingest.hybrid import Hit, Relevance
from ingest.lexical import mostly_chinese
from ingest.service import IndexService
from turn.context import GatewayContext
from turn.conversation import last_user_text
from turn.state import TurnState

FOLLOW_UP_WORDS = 6
"""A question this short is probably a follow-up ("and on Windows?"): the previous question joins the query."""


def retrieval_query(state: TurnState) -> str:
    """The latest user message, preceded by the previous one from memory when the latest is a short follow-up."""
    question = last_user_text(state.messages)
    if len(question.split()) >= FOLLOW_UP_WORDS:
        return question
    earlier = [m.text for m in state.memory_context if isinstance(m, HumanMessage)]
    return f"{earlier[-1]}\n{question}" if earlier else question


async def retrieve(
    state: TurnState, runtime: Runtime[GatewayContext], *, index: IndexService | None, retrieval: RetrievalConfig
) -> dict[str, Any]:
    """Keep the top-k passages (the run's `top_k`, else the operator's), most relevant first, that are relevant
    by meaning or by the words they share with the question (see `ingest.hybrid`); none when there is no index.

    Embedding or search failures propagate: the graph's error handler sends the turn to `fallback`.
    """
    context = runtime.context or GatewayContext()
    top_k = context.top_k or retrieval.top_k
    relevance = Relevance(retrieval.min_score, retrieval.min_coverage)
    if index is None or index.loaded is None:
        return {"sources": [], "searched": False}
    query = retrieval_query(state)
    mode = retrieval.chinese_mode if mostly_chinese(query) else retrieval.mode
    hits = await index.search(query, top_k, mode=mode, relevance=relevance)
    return {"sources": [source_of(hit) for hit in hits], "searched": True}


def source_of(hit: Hit) -> dict[str, Any]:
    """A passage as the state, the prompt and the client's `sage.sources` carry it; a PDF passage also has its
    `page`, which the prompt shows beside the document so that the answer can cite it."""
    chunk = hit.chunk
    return {
        "doc_path": chunk.doc_path,
        "heading": chunk.heading,
        "anchor": chunk.anchor,
        **({"page": chunk.page} if chunk.page is not None else {}),
        "score": round(hit.cosine, 4),
        "coverage": round(hit.coverage, 4),
        "text": chunk.text,
    }
