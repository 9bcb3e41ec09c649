"""The floor under the gateway's RAG turn: embedding the question and searching the index, and nothing else.

The gateway's RAG turn costs a casual turn plus retrieval. How much retrieval must cost is measured here, in the
same run and on the same index: the index the gateway built in its data dir, opened with the gateway's own
`Settings`, embedding model and `IndexService.search` (the call the `retrieve` node makes, with its top-k, mode and
relevance thresholds), so the figure moves with the project's code. It runs as its own process, given the
gateway's CPUs, because ONNX Runtime sizes its thread pool to the CPUs a process may use (`llm.embeddings`), and
so that the model's threads stay out of the load generator.

    python -m bench.overhead.rag_baseline --data-dir DIR --question TEXT [--repetitions 200]

prints one JSON object: CPU and wall milliseconds per embed-and-search, and how many passages the search kept.
"""

import argparse
import asyncio
import json
import time
from pathlib import Path

from config.settings import Settings
from ingest.hybrid import Relevance
from ingest.lexical import mostly_chinese
from ingest.service import open_index
from llm.embeddings import open_embedding_model

WARM_UP = 10


async def embed_and_search(data_dir: Path, question: str, repetitions: int) -> dict[str, float]:
    """CPU (all threads, `time.process_time`) and wall time per search of `question`, averaged."""
    settings = Settings(SAGE_GATEWAY_DATA_DIR=data_dir)
    index = await open_index(settings.index(), await open_embedding_model(settings.embedding()))
    if index.loaded is None:
        raise SystemExit(f"no index in {data_dir}: the gateway builds it on its first start")
    retrieval = settings.retrieval()
    relevance = Relevance(retrieval.min_score, retrieval.min_coverage)
    mode = retrieval.chinese_mode if mostly_chinese(question) else retrieval.mode
    for _ in range(WARM_UP):
        await index.search(question, retrieval.top_k, mode=mode, relevance=relevance)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repetitions):
        hits = await index.search(question, retrieval.top_k, mode=mode, relevance=relevance)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "cpu_ms": cpu / repetitions * 1000,
        "wall_ms": wall / repetitions * 1000,
        "hits": len(hits),
        "chunks": int(index.loaded.manifest["num_chunks"]),
        "repetitions": repetitions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--question", required=True)
    parser.add_argument("--repetitions", type=int, default=200)
    args = parser.parse_args()
    repetitions = max(1, min(args.repetitions, 5000))
    print(json.dumps(asyncio.run(embed_and_search(args.data_dir, args.question, repetitions))))


if __name__ == "__main__":
    main()
