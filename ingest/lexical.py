"""Lexical search over the index's chunks: BM25 (`bm25s`) with a tokenizer that reads English and Chinese.

Dense embeddings miss exact names (`SAGE_DATABASE_URL`, `os.path.join`, a status code) and the packaged model
reads English only, so a Chinese question finds nothing by meaning. BM25 matches the words themselves: identifiers
are kept whole and also split at underscores and dots, and Chinese, written without spaces, is read as overlapping
character pairs (the usual segmenter-free way to index it), so `更改端口` matches a passage saying `端口`.

`coverage` answers "does this passage contain what the question asks about?" on a 0-1 scale that does not depend
on the corpus size (raw BM25 scores do): the share of the question's distinct terms, each weighted by its IDF, that
the passage contains. A term no passage contains weighs most, so an off-topic question ("capital of Australia")
covers nothing, however common its other words are.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable

import bm25s
import numpy as np

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z0-9_]+(?:[.\-][a-z0-9_]+)*|[{_HAN}]+")
_IS_HAN = re.compile(rf"[{_HAN}]")
_STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those there here what which who whom whose when where why how do does did done can could should would "
    "will shall may might must i me my we our you your he she they them their his her not no yes so than then "
    "into onto about over under up down out off again also just only very too any some all each both more most "
    "other such own same get got use using used".split()
)
_HAN_STOP = "的了吗呢吧啊是在和与或我你他她它们这那个有就都也很谁"
_HAN_QUESTION_WORDS = re.compile(
    "为什么|怎么样|怎么|怎样|什么|如何|哪些|哪个|哪里|是否|能否|可以|多少|多久|是不是|有没有|能不能|会不会"
)
_HAN_BREAK = re.compile(f"[ {_HAN_STOP}]+")
MIN_SHARED_TERMS = 2
_EMPTY = "\u2205"
"""Stands in for a passage with no terms (BM25 needs at least one per document)."""


def _singular(word: str) -> str:
    """A plural's singular, roughly (`documents` -> `document`, `indexes` -> `index`): enough for a question and
    a passage to meet, where a full stemmer would also merge words that differ."""
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word.isalpha():
        return word[:-1]
    return word


def _han_terms(run: str) -> list[str]:
    """A run of Chinese characters as character pairs, cut at function and question words first: they say
    nothing of the topic, and a pair across one (`网关的端口`: `关端`) is no word at all, yet both made an
    off-topic question (`怎么做红烧肉？`) share terms with a passage. A piece of one character is a term itself."""
    terms: list[str] = []
    for piece in _HAN_BREAK.split(_HAN_QUESTION_WORDS.sub(" ", run)):
        terms.extend(piece[i : i + 2] for i in range(len(piece) - 1))
        if len(piece) == 1:
            terms.append(piece)
    return terms


def lexical_terms(text: str) -> list[str]:
    """The terms of `text`: lower-cased words and identifiers (whole, and their parts), Chinese character pairs."""
    terms: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group()
        if _IS_HAN.match(word):
            terms.extend(_han_terms(word))
            continue
        if word not in _STOPWORDS and len(word) > 1:
            terms.append(_singular(word))
        parts = re.split(r"[._\-]", word)
        if len(parts) > 1:
            terms.extend(part for part in parts if len(part) > 1 and part not in _STOPWORDS)
    return terms


def mostly_chinese(text: str) -> bool:
    """Whether the text is mostly Chinese: its Chinese words (about two characters each) are at least as many as
    its other words, an identifier such as `SAGE_GATEWAY_PORT` counting as one word."""
    han = len(_IS_HAN.findall(text))
    return han > 0 and han / 2 >= len(re.findall(r"[A-Za-z0-9_.\-]+", text))


class LexicalIndex:
    """BM25 over a fixed list of passages, by position, plus the IDF table `coverage` needs."""

    def __init__(self, passages: Iterable[str]) -> None:
        corpus = [lexical_terms(text) or [_EMPTY] for text in passages]
        self.size = len(corpus)
        self._document_frequency: Counter[str] = Counter()
        for terms in corpus:
            self._document_frequency.update(set(terms))
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def _idf(self, term: str) -> float:
        return math.log(1 + (self.size + 1) / (self._document_frequency.get(term, 0) + 0.5))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The `k` passages with the best BM25 score for `query`, by position (none when no term is known)."""
        terms = [term for term in dict.fromkeys(lexical_terms(query)) if term in self._document_frequency]
        if not terms or not self.size:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        k = min(k, self.size)
        best = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(best.tolist(), key=lambda position: -scores[position])
        return [(int(position), float(scores[position])) for position in ranked if scores[position] > 0]

    def coverage(self, query: str, passage: str) -> float:
        """The IDF-weighted share of the query's distinct terms that `passage` contains (0 to 1).

        Two corrections keep it meaning "this passage is about the question": a Chinese character pair that no
        passage contains is dropped from the question (pairs are read across word boundaries, and such a pair is
        an artefact of the reading, not a word the documents lack), and a passage that shares only one term
        with a longer question covers nothing (one shared rare word, "Australia", is chance, not an answer).
        """
        terms = [
            term
            for term in dict.fromkeys(lexical_terms(query))
            if term in self._document_frequency or not _IS_HAN.match(term)
        ]
        if not terms:
            return 0.0
        present = set(lexical_terms(passage))
        shared = [term for term in terms if term in present]
        if len(shared) < min(MIN_SHARED_TERMS, len(terms)):
            return 0.0
        return sum(self._idf(term) for term in shared) / sum(self._idf(term) for term in terms)


def term_overlap(sentence: str, passage: str) -> float:
    """The share of the sentence's distinct terms that the passage contains (0 to 1): how far it backs it."""
    terms = set(lexical_terms(sentence))
    return len(terms & set(lexical_terms(passage))) / len(terms) if terms else 0.0
