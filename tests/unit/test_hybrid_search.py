"""Lexical terms, BM25, coverage and their fusion with dense search (`ingest.lexical`, `ingest.hybrid`)."""

import faiss
import numpy as np

from config.settings import Settings
from ingest.chunking import Chunk
from ingest.hybrid import Relevance, hybrid_search, reciprocal_rank_fusion
from ingest.index import LoadedIndex
from ingest.lexical import LexicalIndex, lexical_terms, mostly_chinese, term_overlap


def test_identifiers_are_kept_whole_and_in_parts_and_plurals_meet_singulars() -> None:
    terms = lexical_terms("Set SAGE_DATABASE_URL for the sessions of os.path.join")
    assert {"sage_database_url", "sage", "database", "url", "session", "os.path.join", "path", "join"} <= set(terms)
    assert "the" not in terms and "for" not in terms
    assert lexical_terms("indexes documents") == ["index", "document"]


def test_chinese_is_read_as_character_pairs() -> None:
    assert lexical_terms("更改端口") == ["更改", "改端", "端口"]
    assert "端口" in lexical_terms("如何更改网关的端口？")


def test_bm25_finds_the_passage_with_the_rare_words_and_nothing_for_unknown_ones() -> None:
    passages = ["The port is set by SAGE_PORT.", "Sessions are kept in SQLite.", "网关的端口默认是 8000。"]
    index = LexicalIndex(passages)
    assert index.search("which variable sets the port", 3)[0][0] == 0
    assert index.search("端口是多少", 3)[0][0] == 2
    assert index.search("kangaroo marsupial", 3) == []


def test_coverage_is_the_idf_weighted_share_of_the_question_found() -> None:
    index = LexicalIndex(["The port is set by SAGE_PORT.", "Sessions are kept in SQLite.", "Sessions expire."])
    assert index.coverage("session sqlite", "Sessions are kept in SQLite.") == 1.0
    partial = index.coverage("session expiry sqlite", "Sessions expire in SQLite.")
    assert 0 < partial < 1  # `expiry` is in no passage, and weighs most
    assert index.coverage("capital of australia", "Sessions are kept in SQLite.") == 0.0


def test_term_overlap_is_the_share_of_the_sentence_the_passage_holds() -> None:
    assert term_overlap("sessions kept in SQLite", "Sessions are kept in SQLite.") == 1.0
    assert term_overlap("kangaroos hop", "Sessions are kept in SQLite.") == 0.0


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([1, 2, 3], [3, 1])
    assert sorted(fused, key=lambda p: -fused[p]) == [1, 3, 2]


def _loaded(texts: list[str], vectors: np.ndarray) -> LoadedIndex:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors.astype(np.float32))
    chunks = [Chunk(text, f"doc{n}.md", "", "", 0) for n, text in enumerate(texts)]
    return LoadedIndex("v1", {}, index, chunks, LexicalIndex(c.embedding_text() for c in chunks))


def test_hybrid_search_brings_in_the_exact_name_dense_search_ranks_low() -> None:
    texts = ["General notes about configuration.", "SAGE_RAG_TOP_K bounds the passages.", "Unrelated text."]
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    loaded = _loaded(texts, vectors)
    query = np.array([1.0, 0.0], dtype=np.float32)
    dense = hybrid_search(loaded, "what does SAGE_RAG_TOP_K do", query, 1, mode="dense")
    hybrid = hybrid_search(loaded, "what does SAGE_RAG_TOP_K do", query, 2, mode="hybrid")
    assert dense[0].chunk.text == texts[0]
    assert {hit.chunk.text for hit in hybrid} == {texts[0], texts[1]}
    assert next(hit for hit in hybrid if hit.chunk.text == texts[1]).cosine == np.float32(0.6)


def test_a_passage_that_reaches_neither_threshold_is_dropped() -> None:
    texts = ["Sessions are kept in SQLite.", "The port is set by SAGE_PORT."]
    loaded = _loaded(texts, np.array([[1.0, 0.0], [0.0, 1.0]]))
    query = np.array([0.2, 0.1], dtype=np.float32) / np.linalg.norm([0.2, 0.1])
    strict = Relevance(min_cosine=0.95, min_coverage=0.5)
    assert hybrid_search(loaded, "capital of australia", query, 2, relevance=strict) == []
    kept = hybrid_search(loaded, "where are sessions kept", query, 2, relevance=strict)
    assert [hit.chunk.text for hit in kept] == [texts[0]] and kept[0].coverage >= 0.5


def test_one_shared_word_is_not_coverage_and_unknown_chinese_pairs_do_not_count() -> None:
    index = LexicalIndex(["Sydney is in Australia.", "The port is set by SAGE_PORT.", "网关的端口默认是 8000。"])
    assert index.coverage("capital of australia", "Sydney is in Australia.") == 0.0
    # `改网`, `网关的` pairs across words: only the pairs some passage has are asked about.
    assert index.coverage("怎么改网关的端口", "网关的端口默认是 8000。") == 1.0


def test_a_question_mostly_in_chinese_is_told_apart_from_one_naming_a_chinese_word() -> None:
    assert mostly_chinese("网关默认监听哪个端口？") and mostly_chinese("SAGE_GATEWAY_DATABASE_URL 怎么设置")
    assert not mostly_chinese("what does 端口 mean in the docs") and not mostly_chinese("How do I set the port?")


def test_chinese_questions_are_searched_by_words_with_the_packaged_english_embeddings() -> None:
    assert Settings().retrieval().chinese_mode == "lexical"
    remote = Settings(SAGE_EMBEDDING_BASE_URL="http://127.0.0.1:9/v1", SAGE_EMBEDDING_MODEL="bge-m3")
    assert remote.retrieval().chinese_mode == "hybrid"
    assert Settings(SAGE_RAG_SEARCH_CHINESE="dense").retrieval().chinese_mode == "dense"


def test_chinese_is_cut_at_function_and_question_words_before_it_is_paired() -> None:
    assert lexical_terms("网关的端口怎么改？") == ["网关", "端口", "改"]  # no `关端`, no `怎么`
    assert lexical_terms("为什么会话没有保存") == ["会话", "话没", "保存"]  # `为什么` is cut whole, `有` cuts too


def test_a_chinese_question_off_the_topic_covers_nothing_through_its_question_words() -> None:
    passages = [
        "怎么修改网关的端口？设置 SAGE_GATEWAY_PORT 就可以。",
        "会话：怎么保存和继续对话？",
        "如何查看内存里有什么？",
    ]
    index = LexicalIndex(passages)
    assert all(index.coverage("怎么做红烧肉？", passage) < 0.5 for passage in passages)
    assert index.coverage("怎么改网关的端口？", passages[0]) >= 0.5
