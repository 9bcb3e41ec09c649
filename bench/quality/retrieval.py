"""Retrieval scores of the three search modes on the labelled questions, and what the relevance thresholds keep.

Everything goes through `ingest.hybrid.hybrid_search`, the function the gateway's retrieve node calls, so the
figures are those of the served code, not of a re-implementation. Two levels of hit are scored because they fail
differently: a page-level hit (any passage of the right page) says the search found the topic; an answer-level hit
(a passage of that page containing the answer string) says it found the passage a model can quote. A question is
embedded the way `IndexService.search` embeds it (one query at a time; a zero vector in lexical mode, where the
service embeds nothing), so the cosine a threshold sees is the one it sees in the gateway.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench.quality.questions import OffTopicQuestion, Question
from ingest.hybrid import Hit, Relevance, SearchMode, hybrid_search
from ingest.index import LoadedIndex, VectorEmbedder

MODES: tuple[SearchMode, ...] = ("dense", "lexical", "hybrid")


class Searcher:
    """Searches one index in any mode, each question embedded once however many searches ask for it."""

    def __init__(self, loaded: LoadedIndex, embedder: VectorEmbedder) -> None:
        self.loaded = loaded
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._zero = np.zeros(loaded.index.d, dtype=np.float32)

    def vector(self, query: str) -> np.ndarray:
        if query not in self._vectors:
            self._vectors[query] = self.embedder.embed([query])[0]
        return self._vectors[query]

    def search(self, query: str, k: int, mode: SearchMode, relevance: Relevance | None = None) -> list[Hit]:
        vector = self._zero if mode == "lexical" else self.vector(query)
        return hybrid_search(self.loaded, query, vector, k, mode=mode, relevance=relevance)


def first_rank(hits: Sequence[Hit], is_hit: Callable[[Hit], bool]) -> int | None:
    """The 1-based rank of the first hit that counts, or None."""
    return next((rank for rank, hit in enumerate(hits, start=1) if is_hit(hit)), None)


def page_hit(question: Question) -> Callable[[Hit], bool]:
    return lambda hit: hit.chunk.doc_path == question.page


def answer_hit(question: Question) -> Callable[[Hit], bool]:
    return lambda hit: question.answered_by(hit.chunk.doc_path, hit.chunk.text)


@dataclass(frozen=True)
class Ranked:
    """Where one question's right page and right passage came, in one mode (None: not in the results)."""

    question: Question
    mode: SearchMode
    page_rank: int | None
    answer_rank: int | None
    top: tuple[Hit, ...]


def rank_all(searcher: Searcher, questions: Sequence[Question], mode: SearchMode, depth: int) -> list[Ranked]:
    """Each question's ranks among its `depth` best passages, without thresholds (ranking quality alone)."""
    ranked = []
    for question in questions:
        hits = searcher.search(question.question, depth, mode)
        ranked.append(
            Ranked(
                question,
                mode,
                first_rank(hits, page_hit(question)),
                first_rank(hits, answer_hit(question)),
                tuple(hits),
            )
        )
    return ranked


@dataclass(frozen=True)
class Scores:
    """Recall at each cutoff and the mean reciprocal rank (0 for a miss) over `n` questions."""

    n: int
    recall: dict[int, float]
    mrr: float


def score(ranks: Sequence[int | None], cutoffs: Sequence[int]) -> Scores:
    n = len(ranks)
    if not n:
        return Scores(0, dict.fromkeys(cutoffs, 0.0), 0.0)
    recall = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in cutoffs}
    return Scores(n, recall, sum(1 / r for r in ranks if r is not None) / n)


@dataclass(frozen=True)
class Kept:
    """Under one pair of thresholds at the gateway's `k`: on-topic questions that still get any passage, their
    right page, their answer passage; off-topic questions that get no passage at all."""

    relevance: Relevance | None
    on_topic: int
    any_passage: int
    page_kept: int
    answer_kept: int
    off_topic: int
    rejected: int


def kept_under(
    searcher: Searcher,
    questions: Sequence[Question],
    offtopic: Sequence[OffTopicQuestion],
    mode: SearchMode,
    k: int,
    relevance: Relevance | None,
) -> Kept:
    """What the gateway's retrieve node would hand the model (`k` passages at most, each reaching `relevance`)."""
    any_passage = page_kept = answer_kept = 0
    for question in questions:
        hits = searcher.search(question.question, k, mode, relevance)
        any_passage += bool(hits)
        page_kept += first_rank(hits, page_hit(question)) is not None
        answer_kept += first_rank(hits, answer_hit(question)) is not None
    rejected = sum(1 for q in offtopic if not searcher.search(q.question, k, mode, relevance))
    return Kept(relevance, len(questions), any_passage, page_kept, answer_kept, len(offtopic), rejected)
