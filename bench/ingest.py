"""Ingest of a real documentation folder against the raw embedding model, in the same run: speed and memory.

Each phase runs in its own fresh process, so one phase's memory cannot hide in another's peak:
- raw: the folder is read and chunked exactly as a build does, then only the model runs, on the same chunk
  texts in batches of the build's size (the ceiling a build can approach);
- build: `build_index` from scratch (list, read, convert, chunk, embed, index, write) into a new folder.
Memory is the process's peak resident set above what it held once the model was loaded, beside the size of the
index the build wrote (the FAISS index, which holds the vectors once, and the chunks): a build whose memory
follows the corpus instead of a batch shows up as a peak far above the index's size.

    python -m bench.ingest [--corpus /usr/share/doc/python3/html/library] [--limit FILES]
"""

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from config.sections import IndexBuildConfig
from ingest.chunking import Chunk
from ingest.index import EMBED_BATCH, build_index, chunks_of
from ingest.loaders import find_documents, load_document, read_source
from ingest.service import vector_embedder
from llm.embeddings import OnnxSentenceEmbeddings

DEFAULT_CORPUS = Path("/usr/share/doc/python3/html/library")
PARAMS = IndexBuildConfig(
    index_name="bench", chunk_size=800, chunk_overlap=160, hnsw_threshold=50_000, max_file_bytes=2_000_000
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _corpus(folder: Path, limit: int | None) -> Path:
    """`folder`, or a copy of its first `limit` documents (sorted by name) for a shorter run."""
    if limit is None:
        return folder
    copy = Path(tempfile.mkdtemp(prefix="bench-ingest-corpus-"))
    for source in find_documents(folder.resolve()).files[:limit]:
        target = copy / source.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, target)
    return copy


def _chunk_texts(folder: Path) -> list[str]:
    root = folder.resolve()
    chunks: list[Chunk] = []
    for source in find_documents(root).files:
        try:
            document = load_document(source, read_source(source, root, PARAMS.max_file_bytes))
        except ValueError:
            continue
        chunks.extend(chunks_of(document, source.relative, PARAMS))
    return [chunk.embedding_text() for chunk in chunks]


def _raw_phase(folder: Path, results: Any) -> None:
    texts = _chunk_texts(folder)
    model = OnnxSentenceEmbeddings.packaged()
    embed = vector_embedder(model, model.name, model.dim).embed
    embed(texts[:8])  # warm the session up, as a build's first batch would
    loaded_mb = _peak_mb()
    start = time.perf_counter()
    for offset in range(0, len(texts), EMBED_BATCH):
        embed(texts[offset : offset + EMBED_BATCH])
    results.put({"chunks": len(texts), "seconds": time.perf_counter() - start, "peak": _peak_mb() - loaded_mb})


def _build_phase(folder: Path, results: Any) -> None:
    model = OnnxSentenceEmbeddings.packaged()
    embedder = vector_embedder(model, model.name, model.dim)
    embedder.embed(["warm up"])
    loaded_mb = _peak_mb()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-index-") as index_dir:
        start = time.perf_counter()
        loaded = build_index(folder, Path(index_dir), embedder, PARAMS)
        seconds = time.perf_counter() - start
        on_disk = sum(path.stat().st_size for path in Path(index_dir).rglob("*") if path.is_file())
        results.put(
            {
                "chunks": loaded.manifest["num_chunks"],
                "documents": loaded.manifest["num_documents"],
                "seconds": seconds,
                "peak": _peak_mb() - loaded_mb,
                "index_mb": on_disk / 1e6,
            }
        )


def _run(phase: Any, folder: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=phase, args=(folder, results))
    process.start()
    outcome: dict[str, Any] = results.get()
    process.join()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = parser.parse_args()
    folder = _corpus(args.corpus, args.limit)
    raw = _run(_raw_phase, folder)
    build = _run(_build_phase, folder)
    raw_rate, build_rate = raw["chunks"] / raw["seconds"], build["chunks"] / build["seconds"]
    print(f"# corpus {args.corpus} ({build['documents']} documents, {build['chunks']} chunks), batch {EMBED_BATCH}")
    print(f"| {'phase':<6} | {'chunks':>7} | {'seconds':>8} | {'chunks/s':>9} | {'ratio':>6} | {'peak MB':>8} |")
    print(f"|{'-' * 8}|{'-' * 9}|{'-' * 10}|{'-' * 11}|{'-' * 8}|{'-' * 10}|")
    for name, row, rate in (("raw", raw, raw_rate), ("build", build, build_rate)):
        ratio = rate / raw_rate
        line = f"| {name:<6} | {row['chunks']:>7} | {row['seconds']:>8.1f} | {rate:>9.1f} | {ratio:>6.2f} |"
        print(f"{line} {row['peak']:>8.0f} |")
    print(f"index on disk: {build['index_mb']:.1f} MB; build peak above the loaded model: {build['peak']:.0f} MB")
    if folder != args.corpus:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
