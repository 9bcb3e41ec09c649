"""A PDF's text layer, page by page, under the outline (bookmark) title that covers each page.

A PDF has no headings a splitter can see: its text comes out as lines in reading order. What it has instead is
pages, which a citation can name and a viewer can open (`#page=N`), and often an outline naming its sections. So a
PDF is read as its pages, each to be chunked on its own so that a passage's page number is exact, with the heading
path of the outline entry that covers the page, else the document's title. Only the text layer is read (no OCR): a
scan without one, an encrypted file and a broken one raise `ValueError`, which the build reports as skipped.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PasswordType, PdfReader

_REASON_CHARS = 160
"""How much of a parser's message a skip reason quotes: enough to say what broke, not a page of internals."""


@dataclass(frozen=True)
class PdfPage:
    """One page with text: its 1-based number, the heading path it falls under (may be empty) and its text."""

    number: int
    heading: str
    text: str


def read_pdf_pages(raw: bytes, name: str) -> list[PdfPage]:
    """The pages of the PDF `raw` that have text, in order; `name` is only for the error messages."""
    reader = _open(raw, name)
    try:
        texts = [page.extract_text() or "" for page in reader.pages]
        headings = _page_headings(reader, len(texts))
    except Exception as exc:  # a broken file fails in pypdf with errors of many types, not one
        raise ValueError(f"{name} is not a readable PDF ({_reason(exc)}); not read") from exc
    pages = [
        PdfPage(number, heading, text)
        for number, (heading, text) in enumerate(zip(headings, texts, strict=True), start=1)
        if text.strip()
    ]
    if not pages:
        raise ValueError(f"{name} has no text layer (a scan?); not read")
    return pages


def _open(raw: bytes, name: str) -> PdfReader:
    """A reader for `raw`, opened with the empty password when it is encrypted for permissions only."""
    try:
        reader = PdfReader(io.BytesIO(raw))
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except Exception as exc:  # as above; an encryption pypdf cannot undo without `cryptography` lands here too
        raise ValueError(f"{name} is not a readable PDF ({_reason(exc)}); not read") from exc
    if locked:
        raise ValueError(f"{name} is an encrypted PDF that needs a password; not read")
    return reader


def _reason(exc: Exception) -> str:
    message = " ".join(str(exc).split())[:_REASON_CHARS]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _page_headings(reader: PdfReader, count: int) -> list[str]:
    """Each page's heading path: the outline entry that starts last on or before the page, under its ancestors.

    A page before the first entry, or any page of a PDF without an outline, gets the document's title (or nothing).
    """
    title = _one_line((reader.metadata.title if reader.metadata else None) or "")
    entries = sorted(_outline_entries(reader, reader.outline, 0), key=lambda entry: entry[0])
    headings: list[str] = []
    path: list[str] = []
    position = 0
    for page in range(count):
        while position < len(entries) and entries[position][0] <= page:
            _, depth, entry_title = entries[position]
            path = [*path[:depth], entry_title]
            position += 1
        headings.append(" > ".join(path) or title)
    return headings


def _outline_entries(reader: PdfReader, items: Sequence[Any], depth: int) -> list[tuple[int, int, str]]:
    """`(page index, depth, title)` of the outline entries that point at a page, in outline order.

    pypdf gives an entry's children as a list right after it, hence the depth of a nested list is one more.
    """
    entries: list[tuple[int, int, str]] = []
    for item in items:
        if isinstance(item, list):
            entries.extend(_outline_entries(reader, item, depth + 1))
            continue
        page = reader.get_destination_page_number(item)
        title = _one_line(str(item.title or ""))
        if page is not None and page >= 0 and title:
            entries.append((page, depth, title))
    return entries


def _one_line(text: str) -> str:
    return " ".join(text.split())
