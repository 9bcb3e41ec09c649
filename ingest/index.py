"""The one FAISS index the RAG node reads: build (incremental), verify, load, swap atomically, delete.

On disk, under `index_dir`:

    CURRENT                 the name of the live version (replaced atomically with `os.replace`)
    v-<time>-<id>/          one complete version: manifest.json, faiss.index, chunks.jsonl

A build writes a new version beside the live one and only then points `CURRENT` at it, so a crash or an error
mid-build leaves the previous version serving. Nothing is pickled: chunks are JSON lines, and the manifest pins
every file's SHA-256, checked before loading. Each vector is stored once, in the FAISS index (both index kinds keep
the full vectors, so an incremental rebuild reads unchanged files' vectors back with `reconstruct_n`).

A build embeds in batches that cross file boundaries (a small page no longer means a small, slow model call) and
streams chunks to disk as it goes, so its memory is the index being built plus one batch, not the corpus.
"""

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import faiss
import numpy as np

from config.sections import IndexBuildConfig
from ingest.chunking import Chunk, chunk_document, chunk_pages
from ingest.lexical import LexicalIndex
from ingest.loaders import LoadedDocument, UnsafeSourceError, find_documents, load_document, read_source

CURRENT = "CURRENT"
DATA_FILES = ("faiss.index", "chunks.jsonl")
EMBED_BATCH = 256
"""Chunks embedded per model call: large enough to keep the model busy, small enough to bound memory."""
Progress = Callable[[int, int, str], None]
"""`progress(files_done, files_total, current_file)`."""


class IndexCorruptError(RuntimeError):
    """An index version on disk does not match its manifest."""


class VectorEmbedder:
    """What a build needs from an embedding model: a name, a dimension and a batch call returning unit vectors."""

    def __init__(self, name: str, dim: int, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.name = name
        self.dim = dim
        self.embed = embed


@dataclass
class LoadedIndex:
    """A verified index version in memory: the FAISS index (which holds the vectors), the chunks and their BM25."""

    version: str
    manifest: dict[str, Any]
    index: Any
    chunks: list[Chunk]
    lexical: LexicalIndex

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The `k` nearest chunks to a unit query vector, by position, with cosine scores (higher is better)."""
        if not self.chunks:
            return []
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self.chunks)))
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def cosines(self, query: np.ndarray, positions: list[int]) -> list[float]:
        """Exact cosine scores of the chunks at `positions` (a lexical hit the dense search did not return)."""
        if not positions:
            return []
        vectors = np.stack([self.index.reconstruct(position) for position in positions])
        return [float(score) for score in vectors @ query.astype(np.float32)]

    def vectors(self, start: int, end: int) -> np.ndarray:
        """The stored vectors of chunks `start` to `end` (an unchanged file's, reused by a rebuild)."""
        if end <= start:
            return np.zeros((0, self.index.d), dtype=np.float32)
        return np.asarray(self.index.reconstruct_n(start, end - start), dtype=np.float32)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _searchable(flat: Any, dim: int, hnsw_threshold: int) -> tuple[Any, str]:
    """The exact index the build filled, or above `hnsw_threshold` vectors an HNSW index (approximate) filled
    from it block by block, so the vectors are never all copied at once."""
    if flat.ntotal <= hnsw_threshold:
        return flat, "flat"
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efSearch = 64
    for start in range(0, flat.ntotal, EMBED_BATCH * 16):
        hnsw.add(flat.reconstruct_n(start, min(EMBED_BATCH * 16, flat.ntotal - start)))
    return hnsw, "hnsw"


def current_version(index_dir: Path) -> str | None:
    """The live version's name, or None when there is no index."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    return name if (index_dir / name / "manifest.json").is_file() else None


def load_index(index_dir: Path) -> LoadedIndex | None:
    """Load and verify the live version; None when there is none."""
    version = current_version(index_dir)
    if version is None:
        return None
    folder = index_dir / version
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in DATA_FILES:
        if _sha256(folder / name) != manifest["checksums"].get(name):
            raise IndexCorruptError(f"{folder / name} does not match the manifest; refusing to load it")
    with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
        chunks = [Chunk.from_json(json.loads(line)) for line in handle]
    index = faiss.read_index(str(folder / "faiss.index"))
    return LoadedIndex(version, manifest, index, chunks, LexicalIndex(chunk.embedding_text() for chunk in chunks))


def chunks_of(document: LoadedDocument, doc_path: str, params: IndexBuildConfig) -> list[Chunk]:
    """A PDF's chunks page by page (none crosses a page), any other document's by heading."""
    size, overlap = params.chunk_size, params.chunk_overlap
    if document.pages is not None:
        return chunk_pages(document.pages, doc_path, chunk_size=size, chunk_overlap=overlap)
    return chunk_document(document.text, doc_path, chunk_size=size, chunk_overlap=overlap)


def _reusable(previous: LoadedIndex | None, params: IndexBuildConfig, embedder: VectorEmbedder) -> bool:
    if previous is None:
        return False
    manifest = previous.manifest
    return bool(
        manifest["embedding"]["model"] == embedder.name
        and manifest["chunk_size"] == params.chunk_size
        and manifest["chunk_overlap"] == params.chunk_overlap
    )


class _ChunkSink:
    """Where a build's chunks go, in order: to the chunk file at once, to the index once embedded in a batch."""

    def __init__(self, handle: TextIO, index: Any, embedder: VectorEmbedder) -> None:
        self.handle = handle
        self.index = index
        self.embedder = embedder
        self.chunks: list[Chunk] = []
        self._pending: list[Chunk] = []

    @property
    def count(self) -> int:
        return len(self.chunks) + len(self._pending)

    def embed(self, chunks: list[Chunk]) -> None:
        self._pending.extend(chunks)
        if len(self._pending) >= EMBED_BATCH:
            self.flush()

    def reuse(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.flush()  # keep the index's order the chunks' order
        self._write(chunks, vectors)

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            vectors = self.embedder.embed([chunk.embedding_text() for chunk in batch])
            self._write(batch, np.asarray(vectors, dtype=np.float32).reshape(-1, self.embedder.dim))

    def _write(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise RuntimeError(f"the embedder returned {len(vectors)} vectors for {len(chunks)} chunks")
        if len(chunks):
            self.index.add(vectors)
        for chunk in chunks:
            self.handle.write(json.dumps(chunk.to_json(), ensure_ascii=False) + "\n")
        self.chunks.extend(chunks)


def build_index(
    source_dir: Path,
    index_dir: Path,
    embedder: VectorEmbedder,
    params: IndexBuildConfig,
    *,
    previous: LoadedIndex | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> LoadedIndex:
    """Build a new version from `source_dir`, re-embedding only files whose content changed, and make it live.

    Blocking (CPU and file work): call it in a thread.
    """
    root = source_dir.resolve()  # files are checked against this at open time, whatever happens to the folder
    listing = find_documents(root)
    sources = listing.files
    reuse = not force and _reusable(previous, params, embedder)
    old_files = previous.manifest["files"] if reuse and previous else {}
    files: dict[str, Any] = {}
    skipped: dict[str, str] = dict(listing.skipped)
    embedded = reused = 0
    version = f"v-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    index_dir.mkdir(parents=True, exist_ok=True)
    staging = index_dir / f".building-{version}"
    try:
        staging.mkdir()
        with (staging / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            sink = _ChunkSink(handle, faiss.IndexFlatIP(embedder.dim), embedder)
            for done, source in enumerate(sources):
                if progress:
                    progress(done, len(sources), source.relative)
                if source.size > params.max_file_bytes:
                    skipped[source.relative] = f"larger than {params.max_file_bytes} bytes ({source.size}); not read"
                    continue
                try:
                    raw = read_source(source, root, params.max_file_bytes)  # checked again at open time
                except UnsafeSourceError as exc:
                    skipped[source.relative] = str(exc)
                    continue
                if len(raw) > params.max_file_bytes:  # it grew since it was listed
                    skipped[source.relative] = f"larger than {params.max_file_bytes} bytes; not read"
                    continue
                digest = hashlib.sha256(raw).hexdigest()
                old = old_files.get(source.relative)
                start = sink.count
                if old and old["sha256"] == digest and previous is not None:
                    first, end = old["chunks"]
                    sink.reuse(previous.chunks[first:end], previous.vectors(first, end))
                    reused += 1
                else:
                    try:
                        document = load_document(source, raw)
                    except ValueError as exc:
                        skipped[source.relative] = str(exc)
                        continue
                    sink.embed(chunks_of(document, source.relative, params))
                    embedded += 1
                files[source.relative] = {"sha256": digest, "chunks": [start, sink.count]}
            sink.flush()
        if progress:
            progress(len(sources), len(sources), "")
        chunks = sink.chunks
        index, kind = _searchable(sink.index, embedder.dim, params.hnsw_threshold)
        faiss.write_index(index, str(staging / "faiss.index"))
        manifest = {
            "index_name": params.index_name,
            "version": version,
            "source_dir": str(source_dir),
            "embedding": {"model": embedder.name, "dim": embedder.dim, "metric": "cosine"},
            "index_type": kind,
            "chunk_size": params.chunk_size,
            "chunk_overlap": params.chunk_overlap,
            "num_documents": len(files),
            "num_chunks": len(chunks),
            "created_at": datetime.now(UTC).isoformat(),
            "files": files,
            "skipped": skipped,
            "build": {"embedded_files": embedded, "reused_files": reused},
            "checksums": {name: _sha256(staging / name) for name in DATA_FILES},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(staging, index_dir / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _point_current_at(index_dir, version)
    _remove_other_versions(index_dir, keep=version)
    return LoadedIndex(version, manifest, index, chunks, LexicalIndex(chunk.embedding_text() for chunk in chunks))


def _point_current_at(index_dir: Path, version: str) -> None:
    pointer = index_dir / f".{CURRENT}.{uuid.uuid4().hex}"
    with pointer.open("w") as handle:
        handle.write(version)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT)


def _remove_other_versions(index_dir: Path, keep: str) -> None:
    for entry in index_dir.iterdir():
        if (
            entry.is_dir()
            and entry.name != keep
            and (entry.name.startswith("v-") or entry.name.startswith(".building-"))
        ):
            shutil.rmtree(entry, ignore_errors=True)


def delete_index(index_dir: Path) -> bool:
    """Remove every version and the pointer; False when there was nothing to delete."""
    if current_version(index_dir) is None and not index_dir.exists():
        return False
    existed = current_version(index_dir) is not None
    shutil.rmtree(index_dir, ignore_errors=True)
    return existed
