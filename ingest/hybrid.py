"""Hybrid retrieval: dense and BM25 candidates fused by reciprocal rank, then kept only if relevant enough.

Reciprocal rank fusion (Cormack et al., 2009) adds `1 / (60 + rank)` over the lists a passage appears in: it needs
no score calibration between the two searches, which score on unrelated scales. Fusion orders; it does not judge.
Whether a passage is relevant at all is decided per passage on two calibrated scales that mean the same on any
corpus: its cosine similarity to the question, or the share of the question's terms it contains
(`LexicalIndex.coverage`). A passage that reaches neither threshold is dropped, so an off-topic question gets no
passages at all and the answer can say the documents do not cover it.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ingest.chunking import Chunk
from ingest.index import LoadedIndex

SearchMode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
POOL = 24
"""Candidates each search contributes before fusion (at least; more when more passages are asked for)."""


@dataclass(frozen=True)
class Relevance:
    """The thresholds a passage must reach on one of the two scales (None: keep every candidate)."""

    min_cosine: float
    min_coverage: float

    def admits(self, cosine: float, coverage: float) -> bool:
        return cosine >= self.min_cosine or coverage >= self.min_coverage


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the scores that placed it."""

    chunk: Chunk
    cosine: float
    coverage: float
    fused: float


def reciprocal_rank_fusion(*rankings: list[int]) -> dict[int, float]:
    """Each position's summed `1 / (RRF_K + rank)` over the rankings it appears in (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, position in enumerate(ranking, start=1):
            fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank)
    return fused


def hybrid_search(
    loaded: LoadedIndex,
    query: str,
    query_vector: np.ndarray,
    k: int,
    *,
    mode: SearchMode = "hybrid",
    relevance: Relevance | None = None,
) -> list[Hit]:
    """The `k` best passages for `query` by `mode`, most relevant first, each reaching `relevance` if given."""
    pool = max(POOL, 4 * k)
    dense = loaded.search(query_vector, pool) if mode != "lexical" else []
    lexical = loaded.lexical.search(query, pool) if mode != "dense" else []
    fused = reciprocal_rank_fusion([p for p, _ in dense], [p for p, _ in lexical])
    cosine = dict(dense)
    missing = [position for position in fused if position not in cosine]
    cosine.update(zip(missing, loaded.cosines(query_vector, missing), strict=True))
    hits = []
    for position in sorted(fused, key=lambda p: -fused[p]):
        chunk = loaded.chunks[position]
        coverage = loaded.lexical.coverage(query, chunk.embedding_text())
        if relevance is None or relevance.admits(cosine[position], coverage):
            hits.append(Hit(chunk, cosine[position], coverage, fused[position]))
        if len(hits) == k:
            break
    return hits
