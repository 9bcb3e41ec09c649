"""A Word document (DOCX) as Markdown-headed text, so the heading-aware chunking serves it like any other format.

Word marks structure with paragraph styles, not markup. A paragraph styled Title or Heading 1-6 (or a style based
on one) becomes a `#` heading; when the document has a Title, it heads the path and Heading N goes one level down.
List paragraphs become `- ` lines, indented by their level, and a table becomes one line per row, its cells
separated by ` | `. Body order is kept, so a table stays under the heading it follows. Headers, footers, notes and
comments are left out: they repeat on every page or sit beside the text.
"""

import io
import re
import zipfile
from collections.abc import Iterator

from docx import Document
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

MAX_EXPANDED_BYTES = 128 * 2**20
"""A DOCX is a zip archive, and python-docx reads every part into memory: a few compressed megabytes could expand
to gigabytes. An archive whose parts add up to more than this is refused before it is opened."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""A compound file: what Word writes for a password-protected document (and for the old `.doc` format)."""

_HEADING_STYLE = re.compile(r"heading ([1-6])")
_MARKDOWN_MARK = re.compile(r"^(\s*)(#|```|~~~)", re.MULTILINE)
_STYLE_DEPTH = 8
"""How far a style's `basedOn` chain is followed looking for a heading style (it could loop in a broken file)."""
_REASON_CHARS = 160


def docx_to_markdown(raw: bytes, name: str) -> str:
    """The body of the DOCX `raw` as Markdown-headed text; `ValueError` when it cannot be read (`name` says which)."""
    _check_archive(raw, name)
    try:
        blocks = list(Document(io.BytesIO(raw)).iter_inner_content())
        text = "\n".join(_markdown_lines(blocks))  # styles and cells are read here, lazily: still inside the try
    except Exception as exc:  # python-docx and lxml meet a broken file with errors of many types, not one
        message = " ".join(str(exc).split())[:_REASON_CHARS]
        raise ValueError(f"{name} is not a readable DOCX ({type(exc).__name__}: {message}); not read") from exc
    return text.strip() + "\n"


def _check_archive(raw: bytes, name: str) -> None:
    """Refuse what is not a zip archive (naming an encrypted file as such) and archives that expand too far."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        if raw.startswith(_OLE_MAGIC):
            raise ValueError(f"{name} is password-protected or an old Word file, not a DOCX; not read") from exc
        raise ValueError(f"{name} is not a DOCX (not a zip archive); not read") from exc
    if expanded > MAX_EXPANDED_BYTES:
        raise ValueError(f"{name} expands to {expanded} bytes, over {MAX_EXPANDED_BYTES}; not read")


def _markdown_lines(blocks: list[Paragraph | Table]) -> Iterator[str]:
    """Headings, paragraphs, tables and lists as blocks apart; list items and table rows one to a line."""
    levels = [_heading_level(block) if isinstance(block, Paragraph) else None for block in blocks]
    shift = 1 if 0 in levels else 0  # a Title is the top of the path: headings go one level under it
    in_list = False
    for block, level in zip(blocks, levels, strict=True):
        depth = _list_depth(block) if isinstance(block, Paragraph) and level is None else None
        if in_list and depth is None:
            yield ""
        in_list = depth is not None
        if isinstance(block, Table):
            yield from _table_rows(block)
            yield ""
        elif level is not None:
            if title := " ".join(block.text.split()):
                yield "#" * min(max(level + shift, 1), 6) + " " + title
                yield ""
        elif depth is not None:
            if block.text.strip():
                yield "  " * depth + "- " + _body_text(block.text)
        elif block.text.strip():
            yield _body_text(block.text)
            yield ""


def _heading_level(paragraph: Paragraph) -> int | None:
    """0 for Title, N for Heading N, also through a style based on one; None for any other paragraph."""
    style: ParagraphStyle | None = paragraph.style
    for _ in range(_STYLE_DEPTH):
        if style is None:
            return None
        name = (style.name or "").strip().lower()  # built-in styles keep their English name in any language
        if name == "title":
            return 0
        if match := _HEADING_STYLE.fullmatch(name):
            return int(match[1])
        base = style.base_style
        style = base if isinstance(base, ParagraphStyle) else None
    return None


def _list_depth(paragraph: Paragraph) -> int | None:
    """The nesting level (from 0) of a list item, numbered directly or by a List style; None when not in a list."""
    levels = paragraph._p.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
    if levels:
        return int(levels[0]) if str(levels[0]).isdigit() else 0
    if paragraph._p.xpath("./w:pPr/w:numPr"):
        return 0
    style = paragraph.style
    return 0 if style is not None and (style.name or "").lower().startswith("list") else None


def _body_text(text: str) -> str:
    """Paragraph text that can never pass for Markdown structure: a line that starts with `#` (a heading) or a code
    fence (which would hide the headings after it from the splitter) is escaped."""
    return _MARKDOWN_MARK.sub(r"\1\\\2", text.strip())


def _table_rows(table: Table) -> Iterator[str]:
    """Each row's cells joined by ` | `; a merged cell, which python-docx repeats in each column it spans, once."""
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(_body_text(" ".join(cell.text.split())))
        if any(cells):
            yield " | ".join(cells)
