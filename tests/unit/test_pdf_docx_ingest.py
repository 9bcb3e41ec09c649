"""PDF and DOCX ingest, on the small real files in tests/data/documents (written once by make_documents.py there):
a PDF's page numbers reach its chunks, the index on disk and the sources a client gets, and no chunk spans two
pages; a DOCX's heading styles become the heading path; unreadable files are skipped and reported, not fatal; an
index written before chunks had pages still loads."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import ingest.docx_text as docx_text
from config.sections import IndexBuildConfig
from ingest.chunking import Chunk
from ingest.hybrid import Hit
from ingest.index import LoadedIndex, VectorEmbedder, _sha256, build_index, current_version, load_index
from ingest.pdf_text import read_pdf_pages
from nodes.retrieve import source_of
from turn.prompt_building import passages_block

DOCUMENTS = Path(__file__).parent.parent / "data" / "documents"
PARAMS = IndexBuildConfig(
    index_name="test", chunk_size=160, chunk_overlap=0, hnsw_threshold=50_000, max_file_bytes=2_000_000
)
"""Passages small enough that each fixture page is split into several."""
HANDBOOK_HEADINGS = {1: "Introduction", 2: "Installation", 3: "Installation > On Linux"}


def embedder() -> VectorEmbedder:
    return VectorEmbedder("fake", 4, lambda texts: np.full((len(texts), 4), 0.5, dtype=np.float32))


def build(tmp_path: Path, *names: str, extra: dict[str, bytes] | None = None) -> LoadedIndex:
    """An index of a folder holding copies of the named fixtures and the `extra` files."""
    source = tmp_path / "docs"
    source.mkdir()
    for name in names:
        shutil.copy(DOCUMENTS / name, source / name)
    for name, raw in (extra or {}).items():
        (source / name).write_bytes(raw)
    return build_index(source, tmp_path / "index", embedder(), PARAMS)


def source(chunk: Chunk) -> dict[str, object]:
    return source_of(Hit(chunk, cosine=0.5, coverage=0.5, fused=0.0))


def test_pdf_chunks_keep_their_page_and_never_span_two(tmp_path: Path) -> None:
    pages = {page.number: page.text for page in read_pdf_pages((DOCUMENTS / "handbook.pdf").read_bytes(), "x")}
    chunks = build(tmp_path, "handbook.pdf").chunks
    assert {chunk.page for chunk in chunks} == {1, 2, 3} and len(chunks) > 3
    for chunk in chunks:
        assert chunk.page is not None
        assert chunk.text in pages[chunk.page]
        assert all(chunk.text not in text for number, text in pages.items() if number != chunk.page)
        assert chunk.anchor == f"page={chunk.page}"
        assert chunk.heading == HANDBOOK_HEADINGS[chunk.page]  # from the outline
    assert [chunk.chunk for chunk in chunks] == list(range(len(chunks)))
    systemd = next(chunk for chunk in chunks if "systemd" in chunk.text)
    assert systemd.page == 3


def test_a_pdf_page_reaches_the_index_on_disk_the_client_and_the_prompt(tmp_path: Path) -> None:
    built = build(tmp_path, "handbook.pdf")
    lines = (tmp_path / "index" / built.version / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["page"] for line in lines} == {1, 2, 3}
    loaded = load_index(tmp_path / "index")
    assert loaded is not None and loaded.chunks == built.chunks
    systemd = next(chunk for chunk in loaded.chunks if "systemd" in chunk.text)
    passage = source(systemd)
    assert passage["page"] == 3 and passage["anchor"] == "page=3" and passage["doc_path"] == "handbook.pdf"
    assert "\n[1] handbook.pdf, p. 3 > Installation > On Linux\n<passage>\n" in passages_block([passage])


def test_a_pdf_without_an_outline_is_headed_by_its_title(tmp_path: Path) -> None:
    chunks = build(tmp_path, "memo.pdf").chunks
    assert {(chunk.page, chunk.heading) for chunk in chunks} == {(1, "Release memo"), (2, "Release memo")}


def test_a_pdf_encrypted_for_permissions_only_is_read(tmp_path: Path) -> None:
    built = build(tmp_path, "restricted.pdf")
    assert built.manifest["skipped"] == {}
    assert any("Known problems" in chunk.text for chunk in built.chunks)


def test_encrypted_and_broken_files_are_skipped_and_reported(tmp_path: Path) -> None:
    handbook = (DOCUMENTS / "handbook.pdf").read_bytes()
    broken = {
        "corrupt.pdf": b"%PDF-1.7\nthis is not a PDF body at all\n",
        "truncated.pdf": handbook[: len(handbook) // 2],
        "empty.pdf": b"",
        "notes.docx": b"plain text saved with the wrong suffix",
    }
    manifest = build(tmp_path, "encrypted.pdf", "handbook.pdf", "guide.docx", extra=broken).manifest
    skipped = manifest["skipped"]
    assert set(skipped) == {"encrypted.pdf", *broken}
    assert skipped["encrypted.pdf"] == "encrypted.pdf is an encrypted PDF that needs a password; not read"
    for name in ("corrupt.pdf", "truncated.pdf", "empty.pdf"):
        assert skipped[name].startswith(f"{name} is not a readable PDF (") and skipped[name].endswith("; not read")
    assert skipped["notes.docx"] == "notes.docx is not a DOCX (not a zip archive); not read"
    assert set(manifest["files"]) == {"handbook.pdf", "guide.docx"}  # the readable ones are indexed


def test_a_docx_that_would_expand_too_far_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_text, "MAX_EXPANDED_BYTES", 10_000)
    skipped = build(tmp_path, "guide.docx").manifest["skipped"]
    assert skipped["guide.docx"].startswith("guide.docx expands to ") and "over 10000" in skipped["guide.docx"]


def test_docx_heading_styles_become_the_heading_path(tmp_path: Path) -> None:
    chunks = build(tmp_path, "guide.docx").chunks
    by_heading: dict[str, str] = {}
    for chunk in chunks:
        by_heading[chunk.heading] = f"{by_heading.get(chunk.heading, '')}\n{chunk.text}".strip()
    assert list(by_heading) == [
        "Gateway Guide",
        "Gateway Guide > Installing",
        "Gateway Guide > Installing > On Windows",
        "Gateway Guide > Configuring",
    ]
    assert by_heading["Gateway Guide > Installing > On Windows"].endswith(
        "- Open PowerShell as a normal user.\n- Activate the virtual environment."
    )
    assert (
        "SAGE_RAG_TOP_K | passages per question\nSAGE_RAG_CHUNK_SIZE | passage size"
        in by_heading["Gateway Guide > Configuring"]
    )
    assert all(chunk.page is None and "page" not in source(chunk) for chunk in chunks)
    assert chunks[1].anchor == "installing"


def test_an_index_written_before_chunks_had_pages_still_loads(tmp_path: Path) -> None:
    source_dir = tmp_path / "docs"
    source_dir.mkdir()
    (source_dir / "guide.md").write_text("# Guide\n\nHow to use the gateway.\n")
    build_index(source_dir, tmp_path / "index", embedder(), PARAMS)
    folder = tmp_path / "index" / str(current_version(tmp_path / "index"))
    old_line = {"text": "How to use the gateway.", "doc_path": "guide.md", "heading": "Guide", "anchor": "guide"}
    (folder / "chunks.jsonl").write_text(json.dumps({**old_line, "chunk": 0}) + "\n", encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["checksums"]["chunks.jsonl"] = _sha256(folder / "chunks.jsonl")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    loaded = load_index(tmp_path / "index")
    assert loaded is not None
    assert loaded.chunks == [Chunk("How to use the gateway.", "guide.md", "Guide", "guide", 0)]
    assert loaded.chunks[0].page is None and "page" not in loaded.chunks[0].to_json()
