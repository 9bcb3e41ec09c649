"""Ingest against a hostile documents folder: file names that are not UTF-8 are skipped and reported, and a file or
folder swapped for a link to outside the source between listing and reading is refused at open time."""

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

import ingest.index as index_module
from config.sections import IndexBuildConfig
from ingest.index import VectorEmbedder, build_index
from ingest.loaders import DocumentListing, find_documents
from ingest.service import IndexService
from llm.embeddings import EmbeddingModel
from tests.conftest import ClientFactory
from tests.fakes import fake_models
from tests.rag_fixtures import corpus_settings, wait_for_build

PARAMS = IndexBuildConfig(
    index_name="test", chunk_size=800, chunk_overlap=160, hnsw_threshold=50_000, max_file_bytes=2_000_000
)
SECRET = "The root password is hunter2."


def embedder() -> VectorEmbedder:
    return VectorEmbedder("fake", 4, lambda texts: np.full((len(texts), 4), 0.5, dtype=np.float32))


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """A source folder with `guide.md` and `sub/page.md`, and outside it the same names holding a secret."""
    source, outside = tmp_path / "docs", tmp_path / "outside"
    for base, text in ((source, "# Guide\n\nHow to use the gateway."), (outside, f"# Secret\n\n{SECRET}")):
        (base / "sub").mkdir(parents=True)
        (base / "guide.md").write_text(text)
        (base / "sub" / "page.md").write_text(text.replace("Guide", "Page"))
    return {"source": source, "outside": outside, "index": tmp_path / "index"}


def build_with_a_swap_after_listing(
    monkeypatch: pytest.MonkeyPatch, folders: dict[str, Path], swap: Any
) -> dict[str, Any]:
    """Build, with `swap()` run after the documents were listed and before any is read."""

    def list_then_swap(source_dir: Path) -> DocumentListing:
        listing = find_documents(source_dir)
        swap()
        return listing

    monkeypatch.setattr(index_module, "find_documents", list_then_swap)
    loaded = build_index(folders["source"], folders["index"], embedder(), PARAMS)
    assert all(SECRET not in chunk.text for chunk in loaded.chunks)
    return loaded.manifest


def test_a_folder_swapped_for_a_link_out_after_listing_is_not_read(
    monkeypatch: pytest.MonkeyPatch, folders: dict[str, Path]
) -> None:
    def swap() -> None:
        source = folders["source"]
        (source / "sub").rename(source / "sub-before")
        os.symlink(folders["outside"] / "sub", source / "sub")

    manifest = build_with_a_swap_after_listing(monkeypatch, folders, swap)
    assert set(manifest["files"]) == {"guide.md"}
    assert manifest["skipped"] == {"sub/page.md": "sub/page.md left the source folder after it was listed; not read"}


def test_a_file_swapped_for_a_link_out_after_listing_is_not_read(
    monkeypatch: pytest.MonkeyPatch, folders: dict[str, Path]
) -> None:
    def swap() -> None:
        guide = folders["source"] / "guide.md"
        guide.unlink()
        os.symlink(folders["outside"] / "guide.md", guide)

    manifest = build_with_a_swap_after_listing(monkeypatch, folders, swap)
    assert set(manifest["files"]) == {"sub/page.md"}
    assert manifest["skipped"] == {"guide.md": "guide.md is a link now; not read"}


def test_a_file_removed_after_listing_is_skipped_not_a_failed_build(
    monkeypatch: pytest.MonkeyPatch, folders: dict[str, Path]
) -> None:
    manifest = build_with_a_swap_after_listing(monkeypatch, folders, (folders["source"] / "guide.md").unlink)
    assert set(manifest["files"]) == {"sub/page.md"} and "could not be opened" in manifest["skipped"]["guide.md"]


async def test_a_source_folder_swapped_for_a_link_after_the_roots_check_is_not_read(folders: dict[str, Path]) -> None:
    from config.sections import IndexConfig

    config = IndexConfig(index_dir=folders["index"], build=PARAMS, roots=(folders["source"].parent,))
    service = IndexService(config, EmbeddingModel(DeterministicFakeEmbedding(size=4), "fake", 4))
    job = service.start_build(folders["source"])  # checked against the roots; the build has not started yet
    folders["source"].rename(folders["source"].with_name("docs-before"))
    os.symlink(folders["outside"], folders["source"])
    await service.wait()
    assert job.status == "failed" and job.error_type == "SourceOutsideRootsError"
    assert service.loaded is None


def test_a_file_name_that_is_not_utf8_is_skipped_and_reported(tmp_path: Path, make_client: ClientFactory) -> None:
    settings = corpus_settings(tmp_path)
    corpus = os.fsencode(tmp_path / "roots" / "corpus")
    with open(os.path.join(corpus, b"bad\xff.txt"), "wb") as handle:
        handle.write(b"A plain text file whose name is Latin-1.")
    index = IndexService(settings.index(), EmbeddingModel(DeterministicFakeEmbedding(size=8), "fake", 8))
    client = make_client(fake_models(index=index), settings)
    assert client.post("/admin/index/build", json={"source_dir": "corpus"}).status_code == 202
    status = wait_for_build(client)
    assert status["status"] == "ready" and status["job"]["status"] == "done", status["job"]
    reason = "undecodable file name (not UTF-8); not read"
    assert status["job"]["skipped"] == {"bad\\xff.txt": reason}
    assert status["index"]["skipped"] == {"bad\\xff.txt": reason}
    assert status["index"]["num_documents"] == 7  # the other documents are indexed
