"""The small frozen configurations lower layers take, so that only the composition roots read `Settings`.

Each is a plain value object: `Settings` builds them (`settings.storage()`, `settings.index()`, ...), tests may
build them directly, and nothing in them reads the environment.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

SessionBackend = Literal["sqlite", "memory", "postgres"]
SqliteSynchronous = Literal["normal", "full"]
MemoryBackendName = Literal["short_term", "vdb", "kv", "graph"]
ScopeKind = Literal["session", "user"]


@dataclass(frozen=True, kw_only=True)
class StorageConfig:
    """Where sessions (the checkpointer) and memory (the store) live, and the per-session locks with them."""

    backend: SessionBackend
    data_dir: Path
    sqlite_synchronous: SqliteSynchronous = "normal"
    database_url: SecretStr | None = None
    pool_size: int = 10


@dataclass(frozen=True, kw_only=True)
class IndexBuildConfig:
    """How a RAG index is built: recorded in its manifest, so a rebuild knows what it may reuse."""

    index_name: str
    chunk_size: int
    chunk_overlap: int
    hnsw_threshold: int
    max_file_bytes: int


@dataclass(frozen=True, kw_only=True)
class IndexConfig:
    """The one index the gateway serves: its folder, how it is built, and the folders it may be built from."""

    index_dir: Path
    build: IndexBuildConfig
    roots: tuple[Path, ...]


@dataclass(frozen=True, kw_only=True)
class EmbeddingConfig:
    """The embedding model: a remote OpenAI-compatible endpoint when `base_url` is set, otherwise the packaged
    model (or `hf:<repo id>` from the local Hugging Face cache)."""

    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None


@dataclass(frozen=True, kw_only=True)
class ChatEndpointConfig:
    """The chat backend: a remote OpenAI-compatible server (`openai`) or the embedded model (`local`)."""

    backend: Literal["local", "openai"]
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 60.0
    connect_timeout_seconds: float = 5.0
    max_retries: int = 1


@dataclass(frozen=True, kw_only=True)
class ModelCapabilities:
    """What the served chat model can do, as the operator declares it: requests that need more are refused with a
    400 naming the field, and `/v1/models` lists these as the model's metadata."""

    context_tokens: int | None = None
    """The model's context window in tokens (None: not declared)."""
    tools: bool = True
    """The backend returns tool calls for `tools` (OpenAI function calling)."""
    json_schema: bool = True
    """The backend constrains its output to `response_format` (json_object and json_schema)."""
    vision: bool = False
    """The backend takes image content parts."""
    logprobs: bool = True
    """The backend reports token log probabilities."""
    max_choices: int = 4
    """The largest `n` a request may ask for (the gateway generates the choices one by one)."""


@dataclass(frozen=True, kw_only=True)
class LocalModelConfig:
    """The embedded llama.cpp model: the packaged GGUF (assembled into `cache_dir`) or a pinned file of one's own."""

    cache_dir: Path
    model_path: Path | None = None
    model_sha256: str | None = None
    context_tokens: int = 4096
    threads: int = 0
    parallel: int = 2
    served_url: str | None = None
    """The model already serving at this OpenAI-compatible root (the supervisor's, for its workers): not started
    again."""


@dataclass(frozen=True, kw_only=True)
class BreakerConfig:
    """When the chat backend's circuit breaker opens, and for how long."""

    failures: int = 5
    reset_seconds: float = 30.0


@dataclass(frozen=True, kw_only=True)
class TurnLimits:
    """How long a turn may take and wait, and how far a stream may run ahead of its reader."""

    deadline_seconds: float = 120.0
    """One deadline for the whole run of a turn: the primary answer and the fallback together."""
    lock_wait_seconds: float = 15.0
    """How long a turn (or a change of the session) waits for the session's lock before a 409."""
    stream_buffer_events: int = 8192
    """Events a stream buffers for a client that reads slower than the model writes; past it the turn is cut."""
    stream_send_timeout_seconds: float = 30.0
    """How long one send to a streaming client may block (a client that stopped reading) before it is cut."""


@dataclass(frozen=True, kw_only=True)
class MemoryConfig:
    """The memory backends: the default one, the ones a session may pick, and their budgets."""

    default_backend: MemoryBackendName = "kv"
    selectable: tuple[str, ...] = ("short_term", "vdb", "kv", "graph")
    window_turns: int = 20
    max_tokens: int = 3000
    """Window, summary and recalled memory together; at most half the model's context when it is declared."""
    top_k: int = 5
    read_scopes: tuple[ScopeKind, ...] = ("session", "user")
    write_scopes: tuple[ScopeKind, ...] = ("user",)
    extractor: Literal["rules", "llm"] = "rules"
    summaries: bool = True


@dataclass(frozen=True, kw_only=True)
class RetrievalConfig:
    """How many passages a question considers, and how relevant one must be to be used: a cosine similarity to
    the question of at least `min_score`, or at least `min_coverage` of the question's terms (IDF-weighted)."""

    top_k: int = 3
    min_score: float = 0.35
    min_coverage: float = 0.5
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    chinese_mode: Literal["hybrid", "dense", "lexical"] = "lexical"
    """How a question written mostly in Chinese is searched. The packaged embedding model reads English only: it
    scores unrelated passages 0.4-0.67 against a Chinese question and pushes the passage BM25 found out of the
    fused list (on the project's docs, Chinese questions found their answer passage 8 times in 15 fused, 13 by
    words alone)."""
