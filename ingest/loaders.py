"""Find and read the documents of a source folder, confined to configured roots, as Markdown-ish text.

Every format is turned into text whose headings are Markdown headings, so one heading-aware splitter serves all
of them: Markdown and plain text as they are, reStructuredText titles rewritten as `#` headings, HTML through
BeautifulSoup with `h1`-`h6` kept as headings, DOCX through python-docx with its heading styles as headings. PDF
is the exception: it is read as its pages (pypdf), so that a passage can cite the page it is on.
"""

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.docx_text import docx_to_markdown
from ingest.html_structure import html_to_structured_text
from ingest.pdf_text import PdfPage, read_pdf_pages

SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".rst": "rst",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
BINARY_KINDS = frozenset({"pdf", "docx"})
"""Formats parsed from their bytes: never decoded as UTF-8 text, nor refused for the NUL bytes they hold."""


class SourceOutsideRootsError(ValueError):
    """A requested source folder is not inside any configured root."""


@dataclass(frozen=True)
class SourceFile:
    """One document: its path relative to the source folder and its absolute, resolved path."""

    relative: str
    path: Path
    size: int


@dataclass(frozen=True)
class DocumentListing:
    """The documents of a source folder, and the candidates left out with the reason (keyed by a printable name)."""

    files: list[SourceFile]
    skipped: dict[str, str]


class UnsafeSourceError(ValueError):
    """A listed document is no longer the file that was listed inside the source folder when it is opened."""


def resolve_source_dir(requested: str | Path, roots: Iterable[Path]) -> Path:
    """Resolve `requested` (relative names are taken under the first root) and refuse anything outside the roots.

    Symlinks are resolved before the check, so a link that points out of a root is refused like `..` is.
    """
    resolved_roots = [Path(root).expanduser().resolve() for root in roots]
    if not resolved_roots:
        raise SourceOutsideRootsError("no document roots are configured (SAGE_GATEWAY_DOCS_ROOTS)")
    try:
        candidate = Path(requested).expanduser()
        if not candidate.is_absolute():
            candidate = resolved_roots[0] / candidate
        resolved = candidate.resolve()
        inside = any(resolved == root or resolved.is_relative_to(root) for root in resolved_roots)
        is_dir = inside and resolved.is_dir()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, `~nobody`: nothing there
        raise FileNotFoundError(f"source directory not usable: {type(exc).__name__}") from exc
    if not inside:
        raise SourceOutsideRootsError(f"{requested} is outside the configured document roots")
    if not is_dir:
        raise FileNotFoundError(f"source directory not found: {requested}")
    return resolved


def printable_name(name: str) -> str:
    """`name` as text that can be written anywhere: bytes that are not UTF-8 (kept as surrogates by `os.fsdecode`)
    shown as `\\xNN` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def find_documents(source_dir: Path) -> DocumentListing:
    """Documents under `source_dir` with a known suffix, in a stable order, with their sizes.

    Files reached through a symlink that leaves `source_dir` and hidden files are skipped: they are never read.
    A document whose name is not UTF-8 cannot be named in the manifest or a passage's source: it is skipped and
    listed as such. The size limit is the build's to apply, so that a refused file shows up in `skipped` too.
    Reading happens later (`read_source`), and checks again that the file is still the one listed here.
    """
    source_dir = source_dir.resolve()
    found = []
    skipped: dict[str, str] = {}
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in SUFFIXES:
            continue
        real = path.resolve()
        if not real.is_relative_to(source_dir) or not real.is_file():
            continue
        name = relative.as_posix()
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            skipped[printable_name(name)] = "undecodable file name (not UTF-8); not read"
            continue
        found.append(SourceFile(name, real, real.stat().st_size))
    return DocumentListing(found, skipped)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
"""Never through a link in the last component, never blocking on a FIFO swapped in for a file."""


def read_source(source: SourceFile, source_dir: Path, max_bytes: int) -> bytes:
    """The bytes of a listed document (at most `max_bytes` + 1), from the file listed, inside `source_dir` (a
    resolved path: the folder as it was checked against the roots).

    Between listing and reading, the file or a folder above it may have been replaced by a link to somewhere
    else. So the file is opened without following a final link (`O_NOFOLLOW`), and the open file must be a
    regular file that is the one the path now resolves to (same device and inode), resolved inside `source_dir`;
    anything else raises `UnsafeSourceError` and nothing is read.
    """
    root = Path(os.path.abspath(source_dir))  # as given: resolving it again would follow a folder swapped in
    try:
        fd = os.open(source.path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeSourceError(f"{source.relative} is a link now; not read") from exc
        raise UnsafeSourceError(f"{source.relative} could not be opened ({exc.strerror}); not read") from exc
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        real = Path(os.path.realpath(source.path))
        try:
            now = os.stat(real)
        except OSError:
            now = None
        if (
            not stat.S_ISREG(opened.st_mode)
            or not real.is_relative_to(root)
            or now is None
            or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino)
        ):
            raise UnsafeSourceError(f"{source.relative} left the source folder after it was listed; not read")
        return handle.read(max_bytes + 1)


@dataclass(frozen=True)
class LoadedDocument:
    """A document ready to chunk: Markdown-headed text, or for a PDF its pages (`pages` is then not None)."""

    text: str = ""
    pages: tuple[PdfPage, ...] | None = None


def load_document(source: SourceFile, raw: bytes) -> LoadedDocument:
    """The listed document's bytes, parsed by its format; `ValueError` (saying why) when they cannot be read."""
    kind = SUFFIXES[source.path.suffix.lower()]
    if kind == "pdf":
        return LoadedDocument(pages=tuple(read_pdf_pages(raw, source.relative)))
    if kind == "docx":
        return LoadedDocument(text=docx_to_markdown(raw, source.relative))
    return LoadedDocument(text=decode_document(source, raw))


def decode_document(source: SourceFile, raw: bytes) -> str:
    """A text document's bytes as Markdown-headed text; binaries (NUL bytes, not UTF-8) raise `ValueError`.

    PDF and DOCX are not text: `load_document` parses them instead.
    """
    if SUFFIXES[source.path.suffix.lower()] in BINARY_KINDS:
        raise ValueError(f"{source.relative} is a binary format; read it with load_document")
    if b"\0" in raw[:8192]:
        raise ValueError(f"{source.relative} looks binary (NUL bytes); refused")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source.relative} is not UTF-8 text; refused") from exc
    kind = SUFFIXES[source.path.suffix.lower()]
    if kind == "rst":
        return rst_to_markdown_headings(text)
    if kind == "html":
        return html_to_markdown_text(text)
    return text


_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$")


def rst_to_markdown_headings(text: str) -> str:
    """Rewrite reStructuredText section titles (underlined, optionally overlined) as `#` headings.

    Levels follow the order in which adornment styles first appear, as in docutils.
    """
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        over = _RST_ADORNMENT.match(line) and i + 2 < len(lines) and _RST_ADORNMENT.match(lines[i + 2])
        if over and lines[i + 1].strip():
            style = (line.strip()[0], True)
            title, i = lines[i + 1].strip(), i + 3
        elif (
            line.strip()
            and i + 1 < len(lines)
            and _RST_ADORNMENT.match(lines[i + 1])
            and len(lines[i + 1].strip()) >= len(line.strip())
        ):
            style = (lines[i + 1].strip()[0], False)
            title, i = line.strip(), i + 2
        else:
            out.append(line)
            i += 1
            continue
        if style not in styles:
            styles.append(style)
        out.append("#" * min(styles.index(style) + 1, 6) + " " + title)
    return "\n".join(out)


def html_to_markdown_text(html: str) -> str:
    """The page's main content with `h1`-`h6` as Markdown headings (see `ingest.html_structure`)."""
    return html_to_structured_text(html)
