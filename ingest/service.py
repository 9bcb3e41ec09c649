"""The index the gateway serves: loading at start, background (re)builds with progress, search, delete."""

import asyncio
import fcntl
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from config.sections import IndexConfig
from ingest.hybrid import Hit, Relevance, SearchMode, hybrid_search
from ingest.index import LoadedIndex, VectorEmbedder, build_index, current_version, delete_index, load_index
from ingest.loaders import SourceOutsideRootsError, resolve_source_dir
from llm.embeddings import EmbeddingModel, unit_vectors

logger = logging.getLogger(__name__)


def vector_embedder(embeddings: Embeddings, name: str, dim: int) -> VectorEmbedder:
    """Adapt any langchain `Embeddings` to unit float32 vectors (a fast path for the packaged ONNX model)."""
    embed_array = getattr(embeddings, "embed_array", None)

    def embed(texts: list[str]) -> np.ndarray:
        if embed_array is not None:
            return np.asarray(embed_array(texts), dtype=np.float32)
        return unit_vectors(np.asarray(embeddings.embed_documents(texts), dtype=np.float32).reshape(-1, dim))

    return VectorEmbedder(name, dim, embed)


FOLLOW_SECONDS = 1.0
"""How often a search looks whether another process (a worker, the `ingest` CLI) made a new version live."""


class IndexBusyError(RuntimeError):
    """A build is already running (in this process or another one on the same index folder)."""


class BuildLock:
    """An exclusive `flock` beside the index folder, held for a build or a delete, so two processes serving the same
    folder never write it at once; the kernel releases it if the holder dies."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir.with_name(f".{index_dir.name}.lock")
        self._fd: int | None = None

    def take(self) -> None:
        """Take the lock without waiting (a syscall), or raise `IndexBusyError`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexBusyError("an index build or delete is running in another gateway process") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases its flock
            self._fd = None


@dataclass
class BuildJob:
    """A background build, as the status route reports it."""

    id: str
    source_dir: str
    force_rebuild: bool
    status: str = "building"
    files_done: int = 0
    files_total: int = 0
    current_file: str = ""
    error: str | None = None
    error_type: str | None = None
    """The failure's class name alone (`error` may name files: it is for the admin routes only)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Files the build left out, with the reason (as in the manifest): too large, binary, not UTF-8, an
    undecodable name, a link swapped in after listing."""
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "source_dir": self.source_dir,
            "force_rebuild": self.force_rebuild,
            "progress": {
                "files_done": self.files_done,
                "files_total": self.files_total,
                "current_file": self.current_file,
            },
            "error": self.error,
            "skipped": self.skipped,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class IndexService:
    """Owns the live index: one build at a time, searches always see a complete version."""

    def __init__(self, config: IndexConfig, model: EmbeddingModel) -> None:
        self.index_dir = config.index_dir
        self.params = config.build
        self.roots = config.roots
        self.embeddings = model.embeddings
        self.embedder = vector_embedder(model.embeddings, model.name, model.dim)
        self.loaded: LoadedIndex | None = None
        self.job: BuildJob | None = None
        self._task: asyncio.Task[None] | None = None
        self._build_lock = BuildLock(config.index_dir)
        self._followed_at = time.monotonic()

    async def load(self) -> None:
        """Load the live version from disk, if any (a corrupt one is logged and left unserved)."""
        try:
            self.loaded = await asyncio.to_thread(load_index, self.index_dir)
        except Exception:
            logger.exception("the index on disk could not be loaded")
            self.loaded = None

    async def follow_disk(self) -> None:
        """Serve the version another process made live (a build in another worker, `ingest`), looking at most once
        a `FOLLOW_SECONDS`; this process's own build swaps its version in itself."""
        now = time.monotonic()
        if now - self._followed_at < FOLLOW_SECONDS or self.building:
            return
        self._followed_at = now
        live = await asyncio.to_thread(current_version, self.index_dir)
        if live != (self.loaded.version if self.loaded else None) and not self.building:
            logger.info("the index on disk changed to %s; loading it", live)
            await self.load()

    @property
    def building(self) -> bool:
        return self._task is not None and not self._task.done()

    def start_build(self, source_dir: str | Path, *, force: bool = False) -> BuildJob:
        """Validate `source_dir` against the roots (raises before reading anything) and build in the background."""
        if self.building:
            raise IndexBusyError("an index build is already running")
        resolved = resolve_source_dir(source_dir, self.roots)
        self._build_lock.take()
        job = BuildJob(id=uuid.uuid4().hex, source_dir=str(resolved), force_rebuild=force)
        self.job = job
        self._task = asyncio.create_task(self._run(job, resolved, force))
        return job

    async def wait(self) -> None:
        """Wait for the running build, if any (tests and the CLI)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self, job: BuildJob, source_dir: Path, force: bool) -> None:
        def progress(done: int, total: int, current: str) -> None:
            job.files_done, job.files_total, job.current_file = done, total, current

        try:
            if await asyncio.to_thread(source_dir.resolve) != source_dir:
                raise SourceOutsideRootsError(f"{source_dir} changed into a link after it was checked; not read")
            self.loaded = await asyncio.to_thread(
                build_index,
                source_dir,
                self.index_dir,
                self.embedder,
                self.params,
                previous=self.loaded,
                force=force,
                progress=progress,
            )
            job.skipped = dict(self.loaded.manifest["skipped"])
            job.status = "done"
        except Exception as exc:
            logger.exception("index build failed; the previous index keeps serving")
            job.status, job.error, job.error_type = "failed", f"{type(exc).__name__}: {exc}", type(exc).__name__
        finally:
            self._build_lock.release()
            job.finished_at = datetime.now(UTC).isoformat()

    async def delete(self) -> bool:
        if self.building:
            raise IndexBusyError("an index build is running")
        self._build_lock.take()
        try:
            self.loaded = None
            return await asyncio.to_thread(delete_index, self.index_dir)
        finally:
            self._build_lock.release()

    async def search(
        self, query: str, k: int, *, mode: SearchMode = "hybrid", relevance: Relevance | None = None
    ) -> list[Hit]:
        """The `k` best passages for `query` (see `ingest.hybrid`); empty when no index is loaded."""
        await self.follow_disk()
        loaded = self.loaded
        if loaded is None or not query.strip():
            return []
        embed = self.embedder.embed

        def embed_and_search() -> list[Hit]:
            vector = embed([query])[0] if mode != "lexical" else np.zeros(loaded.index.d, dtype=np.float32)
            return hybrid_search(loaded, query, vector, k, mode=mode, relevance=relevance)

        return await asyncio.to_thread(embed_and_search)  # one hop off the loop for every step


async def open_index(config: IndexConfig, model: EmbeddingModel) -> IndexService:
    """The index service on `model`, with the live version on disk (if any) loaded."""
    service = IndexService(config, model)
    await service.load()
    return service
