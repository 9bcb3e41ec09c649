"""Heading-aware chunking: split at Markdown headings first, then by size inside each section.

A chunk never crosses a heading, so its `heading` metadata describes all of its text.
"""

import re
from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

_HEADERS = [("#" * level, f"h{level}") for level in range(1, 7)]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage and where it came from."""

    text: str
    doc_path: str
    heading: str
    anchor: str
    chunk: int

    def embedding_text(self) -> str:
        """What is embedded: the heading path gives a passage the context its text may lack."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "doc_path": self.doc_path,
            "heading": self.heading,
            "anchor": self.anchor,
            "chunk": self.chunk,
        }


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
