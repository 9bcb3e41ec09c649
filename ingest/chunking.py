"""Heading-aware chunking: split at Markdown headings first, then by size inside each section.

A chunk never crosses a heading, so its `heading` metadata describes all of its text. A PDF is chunked page by
page instead (`chunk_pages`): a chunk never crosses a page either, so its page number is the one to cite.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.pdf_text import PdfPage

_HEADERS = [("#" * level, f"h{level}") for level in range(1, 7)]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage and where it came from."""

    text: str
    doc_path: str
    heading: str
    anchor: str
    chunk: int
    page: int | None = None
    """The 1-based PDF page the text is on (its `anchor` is then `page=N`); None for formats without pages."""

    def embedding_text(self) -> str:
        """What is embedded: the heading path gives a passage the context its text may lack."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def to_json(self) -> dict[str, object]:
        """One line of `chunks.jsonl`; `page` only when there is one, so other formats' lines stay as they were."""
        line: dict[str, object] = {
            "text": self.text,
            "doc_path": self.doc_path,
            "heading": self.heading,
            "anchor": self.anchor,
            "chunk": self.chunk,
        }
        if self.page is not None:
            line["page"] = self.page
        return line

    @classmethod
    def from_json(cls, line: Mapping[str, Any]) -> "Chunk":
        """A chunk read back from `to_json`, also from an index written before chunks had a `page`."""
        page = line.get("page")
        return cls(
            text=line["text"],
            doc_path=line["doc_path"],
            heading=line["heading"],
            anchor=line["anchor"],
            chunk=line["chunk"],
            page=int(page) if page is not None else None,
        )


def slugify(heading: str) -> str:
    """A GitHub-style anchor for a heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", slug)


def chunk_document(text: str, doc_path: str, *, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Sections by heading, then `RecursiveCharacterTextSplitter` pieces of at most `chunk_size` characters."""
    sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(text)
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    chunks: list[Chunk] = []
    for section in sections:
        path = [section.metadata[f"h{level}"] for level in range(1, 7) if f"h{level}" in section.metadata]
        heading = " > ".join(path)
        anchor = slugify(path[-1]) if path else ""
        for piece in splitter.split_text(section.page_content):
            if piece.strip():
                chunks.append(Chunk(piece.strip(), doc_path, heading, anchor, len(chunks)))
    return chunks


def chunk_pages(pages: Sequence[PdfPage], doc_path: str, *, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Each page split by size on its own, under the page's heading, anchored `page=N` so a link opens the page.

    The page's text is not read for Markdown headings: a PDF's lines are not Markdown, and a `# comment` in a code
    listing must not start a section.
    """
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    chunks: list[Chunk] = []
    for page in pages:
        for piece in splitter.split_text(page.text):
            if piece.strip():
                anchor = f"page={page.number}"
                chunks.append(Chunk(piece.strip(), doc_path, page.heading, anchor, len(chunks), page=page.number))
    return chunks
