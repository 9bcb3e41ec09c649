"""Ranking facts for a question: lexically (BM25 over a fact's words, its predicate's keywords in English and
Chinese, and the sentence it was said in), by embedding similarity, and fused by reciprocal rank."""

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from rank_bm25 import BM25Okapi

from memory.facts.language import has_han, lexical_tokens, says_word
from memory.facts.ledger import Fact
from memory.facts.records import PREDICATES, USER, normal
from memory.facts.rules_zh import NOUNS

RRF_K = 60
T = TypeVar("T")


CHINESE_NOUNS = {english: " ".join(han for han, name in NOUNS if name == english) for _, english in NOUNS}
"""A favourite's English noun -> its Chinese nouns ("food" -> "食物 菜")."""


def keywords_of(predicate: str) -> str:
    """The words, English and Chinese, a question about `predicate` is likely to use: the vocabulary's keywords,
    or for a free predicate ("favourite colour") its words and their Chinese ("最喜欢 颜色")."""
    known = PREDICATES.get(predicate)
    if known is not None:
        return known.keywords
    words = predicate.replace("favourite ", "")
    chinese = CHINESE_NOUNS.get(words, "")
    return f"{chinese} 最喜欢 喜欢" if predicate.startswith("favourite ") else chinese


def fact_document(fact: Fact) -> list[str]:
    """What lexical recall matches a question against."""
    words = f"{fact.predicate.replace('_', ' ')} {keywords_of(fact.predicate)} {fact.text} {fact.said}"
    return lexical_tokens(words) or ["∅"]


def bm25_ranking(ranking: BM25Okapi, documents: Sequence[Sequence[str]], terms: list[str]) -> list[tuple[int, float]]:
    """Indexes of the documents sharing a term with the question, best first. BM25's idf is not positive for a
    term most documents have (in a scope of one or two, every term): those are then ranked by terms shared."""
    scores = ranking.get_scores(terms)
    ranked = sorted(range(len(documents)), key=lambda i: -scores[i])
    matching = [(i, float(scores[i])) for i in ranked if scores[i] > 0]
    if matching:
        return matching
    wanted = set(terms)
    shared = [(i, float(len(wanted & set(documents[i])))) for i in range(len(documents))]
    return sorted(((i, score) for i, score in shared if score > 0), key=lambda pair: -pair[1])


def lexical_ranking(facts: Sequence[Fact], query: str) -> list[tuple[Fact, float]]:
    """Facts sharing a term with the question, best first."""
    terms = lexical_tokens(query)
    if not facts or not terms:
        return []
    documents = [fact_document(fact) for fact in facts]
    return [(facts[i], score) for i, score in bm25_ranking(BM25Okapi(documents), documents, terms)]


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


def reciprocal_rank_fusion(rankings: Sequence[Sequence[T]], key: Callable[[T], str]) -> list[T]:
    """Several rankings of the same kind of thing fused into one (each scores 1/(k + rank) in each ranking)."""
    scores: dict[str, float] = {}
    by_key: dict[str, T] = {}
    for ranking in rankings:
        for rank, thing in enumerate(ranking):
            scores[key(thing)] = scores.get(key(thing), 0.0) + 1.0 / (RRF_K + rank + 1)
            by_key[key(thing)] = thing
    return [by_key[name] for name in sorted(scores, key=lambda name: -scores[name])]


def fused(*rankings: Sequence[tuple[Fact, float]]) -> list[Fact]:
    """Reciprocal rank fusion of several rankings of facts."""
    return reciprocal_rank_fusion([[fact for fact, _ in ranking] for ranking in rankings], key=lambda fact: fact.id)


FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself)\b|我", re.IGNORECASE)


def named_in(query: str, names: set[str]) -> set[str]:
    """The names (normalised) the question mentions: as whole words, or as substrings for Chinese names; the user
    for a question in the first person."""
    lowered = query.lower()
    found = {USER} if FIRST_PERSON.search(query) else set()
    for name in names:
        if not name or name == USER:
            continue
        if has_han(name):
            if name in query:
                found.add(name)
        elif says_word(lowered, name):
            found.add(name)
    return found


def about_first(ranking: Sequence[tuple[Fact, float]], query: str) -> list[tuple[Fact, float]]:
    """The ranking with the facts about whom the question is about first ("Where do I live?" puts the user's
    home before a friend's), in their order otherwise. A first name stands for the full name it starts."""
    subjects = {normal(fact.subject) for fact, _ in ranking}
    named = named_in(query, subjects | {subject.split(" ")[0] for subject in subjects})

    def about(fact: Fact) -> bool:
        subject = normal(fact.subject)
        return subject in named or subject.split(" ")[0] in named

    return sorted(ranking, key=lambda pair: not about(pair[0]))
