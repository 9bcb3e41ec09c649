"""Find and read the documents of a source folder, confined to configured roots, as Markdown-ish text.

Every format is turned into text whose headings are Markdown headings, so one heading-aware splitter serves all
of them: Markdown and plain text as they are, reStructuredText titles rewritten as `#` headings, HTML through
BeautifulSoup with `h1`-`h6` kept as headings.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".rst": "rst", ".html": "html", ".htm": "html"}


class SourceOutsideRootsError(ValueError):
    """A requested source folder is not inside any configured root."""


@dataclass(frozen=True)
class SourceFile:
    """One document: its path relative to the source folder and its absolute, resolved path."""

    relative: str
    path: Path
    size: int


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


def find_documents(source_dir: Path) -> list[SourceFile]:
    """Documents under `source_dir` with a known suffix, in a stable order, with their sizes.

    Files reached through a symlink that leaves `source_dir` and hidden files are skipped: they are never read.
    The size limit is the build's to apply, so that a refused file shows up in the manifest's `skipped`.
    """
    source_dir = source_dir.resolve()
    found = []
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in SUFFIXES:
            continue
        real = path.resolve()
        if not real.is_relative_to(source_dir) or not real.is_file():
            continue
        found.append(SourceFile(relative.as_posix(), real, real.stat().st_size))
    return found


def read_document(source: SourceFile) -> str:
    """The document as Markdown-headed text; binaries (NUL bytes, not UTF-8) raise `ValueError`."""
    raw = source.path.read_bytes()
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
    """Visible text of an HTML page, with `h1`-`h6` as Markdown headings; scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n\n{'#' * level} {heading.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(["p", "li", "pre", "tr", "br", "div"]):
        block.insert_after("\n")
    text = soup.get_text()
    return re.sub(r"\n{3,}", "\n\n", text).strip()
