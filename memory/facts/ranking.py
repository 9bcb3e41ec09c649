"""Ranking facts for a question: lexically (BM25 over a fact's words, its predicate's keywords in English and
Chinese, and the sentence it was said in), by embedding similarity, and fused by reciprocal rank."""

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from memory.facts.language import lexical_tokens
from memory.facts.ledger import Fact
from memory.facts.records import PREDICATES

RRF_K = 60


def fact_document(fact: Fact) -> list[str]:
    """What lexical recall matches a question against."""
    predicate = PREDICATES.get(fact.predicate)
    keywords = predicate.keywords if predicate else ""
    return lexical_tokens(f"{fact.predicate.replace('_', ' ')} {keywords} {fact.text} {fact.said}") or ["∅"]


def lexical_ranking(facts: Sequence[Fact], query: str) -> list[tuple[Fact, float]]:
    """Facts sharing a term with the question, best first."""
    terms = lexical_tokens(query)
    if not facts or not terms:
        return []
    scores = BM25Okapi([fact_document(fact) for fact in facts]).get_scores(terms)
    ranked = sorted(range(len(facts)), key=lambda i: -scores[i])
    matching = [(facts[i], float(scores[i])) for i in ranked if scores[i] > 0]
    if matching:
        return matching
    # BM25's idf is zero for a term every fact has (a one-fact scope): fall back to sharing a term at all
    document_terms = [set(fact_document(fact)) for fact in facts]
    return [(facts[i], 1.0) for i in range(len(facts)) if document_terms[i] & set(terms)]


def dense_ranking(facts: Sequence[Fact], query_vector: Sequence[float], min_score: float) -> list[tuple[Fact, float]]:
    """Facts by cosine similarity to the question (vectors are unit length), at least `min_score`."""
    with_vectors = [fact for fact in facts if fact.vector]
    if not with_vectors:
        return []
    scores = np.asarray([fact.vector for fact in with_vectors], dtype=np.float32) @ np.asarray(
        query_vector, dtype=np.float32
    )
    ranked = np.argsort(-scores)
    return [(with_vectors[i], float(scores[i])) for i in ranked if scores[i] >= min_score]


def fused(*rankings: Sequence[tuple[Fact, float]]) -> list[Fact]:
    """Reciprocal rank fusion of several rankings of the same facts."""
    scores: dict[str, float] = {}
    by_id: dict[str, Fact] = {}
    for ranking in rankings:
        for rank, (fact, _) in enumerate(ranking):
            scores[fact.id] = scores.get(fact.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            by_id[fact.id] = fact
    return [by_id[ident] for ident in sorted(scores, key=lambda ident: -scores[ident])]
