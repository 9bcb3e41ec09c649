"""Ingest and query cost of the RAG index on synthetic text, against the raw embedding model in the same run.

For each size it writes a synthetic corpus (Markdown files, one heading per passage, so one chunk per section),
then measures: the raw model's throughput (chunks/s, `embed` on a sample of the same passages), ingest
throughput (`build_index`: read, chunk, embed, index, write; chunks/s) and their ratio, query latency p50/p99
(embedding, dense and BM25 search, fusion) and the index's memory (the FAISS index, which holds the vectors once).

    python -m bench.retrieval [--sizes 10000 100000] [--queries 200]
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import faiss

from bench.stats import percentile
from config.sections import IndexBuildConfig
from ingest.hybrid import hybrid_search
from ingest.index import build_index
from ingest.service import vector_embedder
from llm.embeddings import OnnxSentenceEmbeddings

WORDS = (
    "gateway session model index passage answer question stream token memory retrieval citation document folder "
    "embedding vector search score threshold build status delete error timeout retry backend server client request "
    "response header body field message role system user assistant history window budget cache file hash version "
    "swap atomic crash rebuild chunk heading overlap size format markdown html text table graph node edge route "
    "intent workflow pipeline operator source sink filter reranker generator prompt template schema validate"
).split()
SECTIONS_PER_FILE = 50


def write_corpus(folder: Path, chunks: int, rng: random.Random) -> list[str]:
    """`chunks` sections of ~40 words under their own headings; returns some sentences to query with."""
    queries = []
    for file_number in range(0, chunks, SECTIONS_PER_FILE):
        parts = []
        for section in range(file_number, min(file_number + SECTIONS_PER_FILE, chunks)):
            sentence = " ".join(rng.choice(WORDS) for _ in range(40))
            parts.append(f"## Section {section}\n\n{sentence}.\n")
            if len(queries) < 1000 and rng.random() < 0.05:
                queries.append(" ".join(sentence.split()[:8]))
        (folder / f"doc-{file_number // SECTIONS_PER_FILE:05d}.md").write_text("\n".join(parts))
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sample", type=int, default=2000, help="passages for the raw-model baseline")
    args = parser.parse_args()
    model = OnnxSentenceEmbeddings.packaged()
    embedder = vector_embedder(model, model.name, model.dim)
    params = IndexBuildConfig(
        index_name="bench", chunk_size=800, chunk_overlap=160, hnsw_threshold=50_000, max_file_bytes=2_000_000
    )
    print(f"# model {model.name} (ONNX int8), {args.queries} queries per size, raw baseline on {args.sample} passages")
    print(
        f"{'chunks':>8}{'index':>7}{'raw emb/s':>11}{'ingest ch/s':>13}{'ratio':>7}"
        f"{'query p50':>11}{'p99':>9}{'index MB':>10}"
    )
    for size in args.sizes:
        rng = random.Random(size)
        with tempfile.TemporaryDirectory() as tmp:
            corpus, index_dir = Path(tmp, "corpus"), Path(tmp, "index")
            corpus.mkdir()
            queries = write_corpus(corpus, size, rng)
            sample = [
                f"Section {i}\n" + " ".join(rng.choice(WORDS) for _ in range(40)) + "." for i in range(args.sample)
            ]
            start = time.perf_counter()
            embedder.embed(sample)
            raw_rate = len(sample) / (time.perf_counter() - start)

            start = time.perf_counter()
            loaded = build_index(corpus, index_dir, embedder, params)
            ingest_rate = loaded.manifest["num_chunks"] / (time.perf_counter() - start)

            latencies = []
            for query in (queries * (args.queries // max(len(queries), 1) + 1))[: args.queries]:
                start = time.perf_counter()
                hybrid_search(loaded, query, embedder.embed([query])[0], 4)
                latencies.append((time.perf_counter() - start) * 1000)
            memory_mb = len(faiss.serialize_index(loaded.index)) / 1e6
            print(
                f"{loaded.manifest['num_chunks']:>8}{loaded.manifest['index_type']:>7}{raw_rate:>11.1f}"
                f"{ingest_rate:>13.1f}{ingest_rate / raw_rate:>7.2f}{statistics.median(latencies):>9.2f}ms"
                f"{percentile(latencies, 0.99):>7.2f}ms{memory_mb:>10.1f}"
            )


if __name__ == "__main__":
    main()
