"""The evaluated corpus as the gateway would index it, built once and cached between runs.

Building the Python library reference embeds ~15,000 chunks (minutes of CPU), while scoring a question set takes
seconds, so the index is kept under a cache folder whose name changes whenever anything that shapes the index
changes: the corpus files (names, sizes, modification times), the chunking and build settings, the embedding
model and the ingest code. A stale cache therefore cannot be reused by mistake, and an unchanged one is never
rebuilt. The build is the gateway's own `ingest.index.build_index` with the gateway's default build settings, so
what is measured is what is served.
"""

import hashlib
import json
import re
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

from config.sections import IndexBuildConfig
from config.settings import Settings
from ingest.chunking import Chunk
from ingest.index import IndexCorruptError, LoadedIndex, VectorEmbedder, build_index, load_index
from ingest.loaders import find_documents

DEFAULT_CORPUS = Path("/usr/share/doc/python3/html/library")
INGEST_CODE = Path(__file__).resolve().parents[2] / "ingest"
CHUNK_SHAPING_MODULES = ("loaders.py", "html_structure.py", "pdf_text.py", "docx_text.py", "chunking.py")
"""The ingest code that decides what the chunks are (search code, which reads the index, is not an input)."""
DEFAULT_CACHE_ROOT = Path("~/.cache/sage-bench").expanduser()
BUILD_RECORD = "bench-build.json"
"""Written beside the index versions (which `build_index` leaves alone): how long the cached build took."""


def gateway_build_config() -> IndexBuildConfig:
    """The build settings a gateway with no environment overrides uses (`model_construct` skips the environment,
    so a developer's `SAGE_RAG_CHUNK_SIZE` does not silently change what the benchmark measures)."""
    return Settings.model_construct().index().build


def corpus_fingerprint(corpus: Path, params: IndexBuildConfig, model_name: str) -> str:
    """A short hash of every input of the build: the listed files' names, sizes and mtimes (cheap, and enough to
    notice a reinstalled package), the settings that change chunks or vectors, and the embedding model."""
    digest = hashlib.sha256()
    for source in find_documents(corpus).files:
        digest.update(f"{source.relative}\0{source.size}\0{source.path.stat().st_mtime_ns}\n".encode())
    settings = {key: value for key, value in asdict(params).items() if key != "index_name"}
    digest.update(json.dumps({"build": settings, "model": model_name}, sort_keys=True).encode())
    for module in CHUNK_SHAPING_MODULES:  # how pages become chunks is an input too
        digest.update((INGEST_CODE / module).read_bytes())
    return digest.hexdigest()[:12]


def cache_dir_for(corpus: Path, params: IndexBuildConfig, model_name: str, root: Path = DEFAULT_CACHE_ROOT) -> Path:
    """`<root>/<corpus folder name>-<fingerprint>`."""
    return root / f"{corpus.resolve().name}-{corpus_fingerprint(corpus, params, model_name)}"


@dataclass(frozen=True)
class CorpusIndex:
    """The loaded index and where it came from."""

    loaded: LoadedIndex
    cache_dir: Path
    built_now: bool
    build_seconds: float | None
    """Wall time of the build that produced the cached index (this run's or an earlier one's, if recorded)."""
    build_cpu_seconds: float | None


def open_corpus_index(
    corpus: Path,
    cache_dir: Path,
    embedder: VectorEmbedder,
    params: IndexBuildConfig,
    *,
    rebuild: bool = False,
    progress: bool = True,
) -> CorpusIndex:
    """The cached index in `cache_dir`, or a fresh build of `corpus` into it (when absent, corrupt, or `rebuild`)."""
    record = cache_dir / BUILD_RECORD
    if not rebuild:
        try:
            loaded = load_index(cache_dir)
        except IndexCorruptError:
            loaded = None
        if loaded is not None:
            timing = json.loads(record.read_text()) if record.is_file() else {}
            return CorpusIndex(loaded, cache_dir, False, timing.get("wall_seconds"), timing.get("cpu_seconds"))

    def report(done: int, total: int, current: str) -> None:
        if progress and (done % 25 == 0 or done == total):
            print(f"# building: {done}/{total} files {current}", flush=True)

    wall, cpu = time.perf_counter(), time.process_time()
    loaded = build_index(corpus, cache_dir, embedder, params, force=True, progress=report)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    record.write_text(json.dumps({"wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)}))
    return CorpusIndex(loaded, cache_dir, True, wall, cpu)


NAVIGATION_PHRASES = ("Table of Contents", "Previous topic", "Next topic", "This Page", "Report a Bug", "Show Source")
"""Sphinx's sidebar and footer text: a chunk containing it was cut from the page's navigation, not its content."""
_CODE_HEADING = re.compile(
    r"""^\s*(?:
        [#!$>]                                                  # a comment, shebang, prompt or doctest
        | (?:import|from|def|class|return|print|if|for|while|with|try|except|raise|assert|async|await)\b.*[(:=]
    )
    | \w\s*=\s*\S                                               # an assignment or keyword argument
    | [:;{]\s*$ | ```                                           # a block opener, a statement end, a fence
    """,
    re.VERBOSE,
)


def code_like_heading(heading: str, page_headings: Collection[str] = ()) -> bool:
    """Whether any level of a heading path reads as code (what a `# comment` in an unfenced example becomes)
    and is not one of its page's own heading elements (`__name__ == '__main__'` is an `<h2>` of `__main__.html`)."""
    return any(_CODE_HEADING.search(part) and _normal(part) not in page_headings for part in heading.split(" > "))


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00b6", "").split())


class _HeadingTexts(HTMLParser):
    """The text of every `<h1>`-`<h6>` of a page, read independently of the ingest code that is being checked."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._open is not None:
            self.texts.add(_normal("".join(self._open)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def page_headings(corpus: Path) -> dict[str, set[str]]:
    """Each HTML page's heading texts, by the path a chunk names it with."""
    headings: dict[str, set[str]] = {}
    for source in find_documents(corpus).files:
        if source.path.suffix.lower() in (".html", ".htm"):
            parser = _HeadingTexts()
            parser.feed(source.path.read_text(encoding="utf-8", errors="replace"))
            headings[source.relative] = parser.texts
    return headings


@dataclass(frozen=True)
class Hygiene:
    """Chunks that should not exist in a clean index, by check, with a few examples each."""

    checks: dict[str, list[Chunk]]

    def rows(self, examples: int = 3) -> list[list[object]]:
        return [
            [name, len(found), "; ".join(f"{c.doc_path}: {c.heading[-50:]!r}" for c in found[:examples])]
            for name, found in self.checks.items()
        ]


def chunk_hygiene(chunks: Iterable[Chunk], headings: Mapping[str, Collection[str]] | None = None) -> Hygiene:
    """Count the leftovers HTML ingest is meant to drop: code-comment or code-like headings (but a page's own
    heading elements, by `headings`: `page_headings`), navigation text."""
    checks: dict[str, list[Chunk]] = {"heading starts with '#'": [], "heading looks like code": []}
    checks.update({f"text has {phrase!r}": [] for phrase in NAVIGATION_PHRASES})
    checks["text has any navigation phrase"] = []
    for chunk in chunks:
        if any(part.lstrip().startswith("#") for part in chunk.heading.split(" > ")):
            checks["heading starts with '#'"].append(chunk)
        if code_like_heading(chunk.heading, (headings or {}).get(chunk.doc_path, ())):
            checks["heading looks like code"].append(chunk)
        found = [phrase for phrase in NAVIGATION_PHRASES if phrase in chunk.text]
        for phrase in found:
            checks[f"text has {phrase!r}"].append(chunk)
        if found:
            checks["text has any navigation phrase"].append(chunk)
    return Hygiene(checks)
