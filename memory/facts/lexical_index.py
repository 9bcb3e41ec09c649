"""BM25 over documents that arrive one at a time: a scope's past turns, topped up as the conversation grows.

`rank_bm25.BM25Okapi` takes its corpus whole, so ranking the turns of a growing conversation with it means
re-reading and re-counting every turn ever stored, on every turn (most of a casual turn's CPU once a user has a
few thousand turns). This keeps an inverted index instead: adding a turn counts its terms once, and a question
scores only the turns that share a term with it. The scores are rank_bm25's (Okapi, k1 1.5, b 0.75, a negative
idf replaced by a quarter of the mean idf): `tests/unit/test_memory_facts.py` compares the two.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

K1 = 1.5
B = 0.75
EPSILON = 0.25

COMMON_TERMS_FROM = 16
"""From this many documents on, `informative_terms` leaves out a term more than half of them hold."""


@dataclass
class LexicalIndex:
    """Term postings (document number -> term count) and document lengths of one set of documents."""

    postings: dict[str, dict[int, int]] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)
    total_length: int = 0

    def add(self, tokens: Sequence[str]) -> int:
        """Index one more document; its number (documents are numbered in the order added)."""
        number = len(self.lengths)
        for term, count in Counter(tokens).items():
            self.postings.setdefault(term, {})[number] = count
        self.lengths.append(len(tokens))
        self.total_length += len(tokens)
        return number

    def holding(self, terms: Sequence[str]) -> set[int]:
        """The documents that contain at least one of `terms`."""
        found: set[int] = set()
        for term in set(terms):
            found.update(self.postings.get(term, ()))
        return found


def informative_terms(indexes: Sequence[LexicalIndex], terms: Sequence[str]) -> list[str]:
    """`terms` less those more than half of the documents hold, once there are `COMMON_TERMS_FROM` documents.

    Such a term singles no document out (its BM25 idf is negative, and rank_bm25 lifts it to a small floor), yet
    it would be scored over most of the corpus: a greeting said in a few thousand turns made every recall of it
    visit them all, and the floor itself is a mean over the whole vocabulary. Left out, a recall costs what the
    rarer terms match; a question of common terms only recalls nothing, which is what it could single out.
    """
    documents = sum(len(index.lengths) for index in indexes)
    if documents < COMMON_TERMS_FROM:
        return list(terms)
    return [term for term in terms if 2 * sum(len(index.postings.get(term, ())) for index in indexes) <= documents]


def bm25_scores(indexes: Sequence[LexicalIndex], terms: Sequence[str]) -> list[dict[int, float]]:
    """Each index's documents that share a term with `terms`, with their BM25 scores, the indexes taken as one
    corpus (their documents counted together for idf and the mean length)."""
    documents = sum(len(index.lengths) for index in indexes)
    if not documents or not terms:
        return [{} for _ in indexes]
    mean_length = sum(index.total_length for index in indexes) / documents
    frequency = Counter[str]()
    for index in indexes:
        for term in set(terms):
            frequency[term] += len(index.postings.get(term, ()))
    idf = {term: math.log(documents - df + 0.5) - math.log(df + 0.5) for term, df in frequency.items() if df}
    if any(value < 0 for value in idf.values()):
        floor = EPSILON * _mean_idf(indexes, documents)
        idf = {term: value if value >= 0 else floor for term, value in idf.items()}
    scored: list[dict[int, float]] = []
    for index in indexes:
        scores: dict[int, float] = {}
        for term in terms:
            weight = idf.get(term, 0.0)
            for number, count in (index.postings.get(term) or {}).items():
                norm = K1 * (1 - B + B * index.lengths[number] / mean_length)
                scores[number] = scores.get(number, 0.0) + weight * count * (K1 + 1) / (count + norm)
        scored.append(scores)
    return scored


def _mean_idf(indexes: Sequence[LexicalIndex], documents: int) -> float:
    """The mean idf over the whole vocabulary (what rank_bm25 scales a negative idf's replacement by)."""
    frequency = Counter[str]()
    for index in indexes:
        for term, posting in index.postings.items():
            frequency[term] += len(posting)
    if not frequency:
        return 0.0
    total = sum(math.log(documents - df + 0.5) - math.log(df + 0.5) for df in frequency.values())
    return total / len(frequency)
