"""Retrieval quality of hybrid search (packaged embedding model and BM25) over the project's docs: recall@4 on a
labelled set."""

import json
from collections.abc import Callable
from pathlib import Path

from config.sections import IndexBuildConfig
from ingest.hybrid import hybrid_search
from ingest.index import build_index
from ingest.service import vector_embedder
from llm.embeddings import OnnxSentenceEmbeddings

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.json"
BUILD = IndexBuildConfig(
    index_name="quality", chunk_size=800, chunk_overlap=160, hnsw_threshold=50_000, max_file_bytes=2_000_000
)


def test_recall_at_4_over_the_docs_is_at_least_0_9(tmp_path: Path, report_figure: Callable[[str], None]) -> None:
    model = OnnxSentenceEmbeddings.packaged()
    embedder = vector_embedder(model, model.name, model.dim)
    index = build_index(ROOT / "docs", tmp_path, embedder, BUILD)
    questions = json.loads(QUESTIONS.read_text())
    assert len(questions) >= 30
    misses = []
    for question, expected in questions:
        hits = hybrid_search(index, question, embedder.embed([question])[0], 4)
        found = [hit.chunk.doc_path for hit in hits]
        if expected not in found:
            misses.append((question, expected, found))
    recall = 1 - len(misses) / len(questions)
    chunks = index.manifest["num_chunks"]
    report_figure(f"retrieval recall@4 = {recall:.3f} over {len(questions)} questions, {chunks} chunks")
    assert recall >= 0.9, misses
