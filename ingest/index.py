"""The one FAISS index the RAG node reads: build (incremental), verify, load, swap atomically, delete.

On disk, under `index_dir`:

    CURRENT                 the name of the live version (replaced atomically with `os.replace`)
    v-<time>-<id>/          one complete version: manifest.json, faiss.index, vectors.npy, chunks.jsonl

A build writes a new version beside the live one and only then points `CURRENT` at it, so a crash or an error
mid-build leaves the previous version serving. Nothing is pickled: chunks are JSON lines, vectors a `.npy` read
with `allow_pickle=False`, and the manifest pins every file's SHA-256, checked before loading.
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
from typing import Any

import faiss
import numpy as np

from config.sections import IndexBuildConfig
from ingest.chunking import Chunk, chunk_document
from ingest.loaders import UnsafeSourceError, decode_document, find_documents, read_source

CURRENT = "CURRENT"
DATA_FILES = ("faiss.index", "vectors.npy", "chunks.jsonl")
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
    """A verified index version in memory."""

    version: str
    manifest: dict[str, Any]
    index: Any
    vectors: np.ndarray
    chunks: list[Chunk]

    def search(self, query: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        """The `k` nearest chunks to a unit query vector, with cosine scores (higher is better)."""
        if not self.chunks:
            return []
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self.chunks)))
        return [(self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _faiss_index(vectors: np.ndarray, dim: int, hnsw_threshold: int) -> tuple[Any, str]:
    """Exact inner-product search by default; HNSW (approximate) above `hnsw_threshold` vectors."""
    index: faiss.Index
    if len(vectors) > hnsw_threshold:
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efSearch = 64
        index, kind = hnsw, "hnsw"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(vectors)
    return index, kind


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
        if _sha256(folder / name) != manifest["checksums"][name]:
            raise IndexCorruptError(f"{folder / name} does not match the manifest; refusing to load it")
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
        chunks = [Chunk(**json.loads(line)) for line in handle]
    index = faiss.read_index(str(folder / "faiss.index"))
    return LoadedIndex(version, manifest, index, vectors, chunks)


def _reusable(previous: LoadedIndex | None, params: IndexBuildConfig, embedder: VectorEmbedder) -> bool:
    if previous is None:
        return False
    manifest = previous.manifest
    return bool(
        manifest["embedding"]["model"] == embedder.name
        and manifest["chunk_size"] == params.chunk_size
        and manifest["chunk_overlap"] == params.chunk_overlap
    )


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
    chunks: list[Chunk] = []
    blocks: list[np.ndarray] = []
    files: dict[str, Any] = {}
    skipped: dict[str, str] = dict(listing.skipped)
    embedded = reused = 0
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
        if old and old["sha256"] == digest and previous is not None:
            start, end = old["chunks"]
            doc_chunks = [Chunk(c.text, c.doc_path, c.heading, c.anchor, c.chunk) for c in previous.chunks[start:end]]
            vectors = previous.vectors[start:end]
            reused += 1
        else:
            try:
                text = decode_document(source, raw)
            except ValueError as exc:
                skipped[source.relative] = str(exc)
                continue
            doc_chunks = chunk_document(
                text, source.relative, chunk_size=params.chunk_size, chunk_overlap=params.chunk_overlap
            )
            vectors = embedder.embed([c.embedding_text() for c in doc_chunks]).astype(np.float32)
            embedded += 1
        files[source.relative] = {"sha256": digest, "chunks": [len(chunks), len(chunks) + len(doc_chunks)]}
        chunks.extend(doc_chunks)
        blocks.append(vectors.reshape(-1, embedder.dim))
    if progress:
        progress(len(sources), len(sources), "")

    all_vectors = np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)
    index, kind = _faiss_index(all_vectors, embedder.dim, params.hnsw_threshold)
    version = f"v-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    index_dir.mkdir(parents=True, exist_ok=True)
    staging = index_dir / f".building-{version}"
    try:
        staging.mkdir()
        faiss.write_index(index, str(staging / "faiss.index"))
        np.save(staging / "vectors.npy", all_vectors, allow_pickle=False)
        with (staging / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(json.dumps(chunk.to_json(), ensure_ascii=False) + "\n")
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
    return LoadedIndex(version, manifest, index, all_vectors, chunks)


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
