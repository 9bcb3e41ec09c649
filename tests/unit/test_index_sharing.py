"""Processes serving one index folder: a version another one makes live is served, and builds never overlap."""

import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

import ingest.service as service_module
from config.sections import IndexBuildConfig, IndexConfig
from ingest.service import BuildLock, IndexBusyError, IndexService
from llm.embeddings import EmbeddingModel

PARAMS = IndexBuildConfig(
    index_name="test", chunk_size=800, chunk_overlap=160, hnsw_threshold=50_000, max_file_bytes=2_000_000
)

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
sys.stdin.read()
"""


def build_lock_held_elsewhere(index_dir: Path) -> subprocess.Popen[str]:
    """A process holding the index folder's build lock until it is killed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(BuildLock(index_dir).path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def service_on(tmp_path: Path) -> IndexService:
    config = IndexConfig(index_dir=tmp_path / "index", build=PARAMS, roots=(tmp_path,))
    return IndexService(config, EmbeddingModel(DeterministicFakeEmbedding(size=8), "fake", 8))


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text("# Guide\n\nThe gateway listens on port 8889.")
    return folder


async def test_a_version_built_by_another_process_is_served_within_the_follow_interval(
    tmp_path: Path, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder, follower = service_on(tmp_path), service_on(tmp_path)
    await follower.load()
    assert await follower.search("port", 4) == []
    builder.start_build(docs)
    await builder.wait()
    assert builder.loaded is not None
    monkeypatch.setattr(service_module, "FOLLOW_SECONDS", 0.0)
    hits = await follower.search("port", 4)
    assert follower.loaded is not None and follower.loaded.version == builder.loaded.version
    assert hits and "8889" in hits[0].chunk.text
    await builder.delete()
    assert await follower.search("port", 4) == [] and follower.loaded is None  # a delete elsewhere is followed too


async def test_a_build_while_another_process_builds_is_refused_and_reads_nothing(tmp_path: Path, docs: Path) -> None:
    service = service_on(tmp_path)
    holder = build_lock_held_elsewhere(tmp_path / "index")
    try:
        with pytest.raises(IndexBusyError, match="another gateway process"):
            service.start_build(docs)
        with pytest.raises(IndexBusyError, match="another gateway process"):
            await service.delete()
        assert service.job is None and not (tmp_path / "index").exists()
    finally:
        holder.kill()
        holder.wait()
    service.start_build(docs)  # the holder is gone: its lock went with it
    await service.wait()
    assert service.job is not None and service.job.status == "done"
    second = service_on(tmp_path)
    second.start_build(docs)  # the lock was released when the build ended
    await second.wait()
    assert second.job is not None and second.job.status == "done"
