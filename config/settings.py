"""Gateway settings: the one place the environment is read.

`Settings()` is built once by a composition root (the CLI, the Studio factory, the ingest CLI, or a test with
explicit values), so no request and no import ever reads `os.environ` again. Lower layers never see `Settings`:
they take the frozen views its methods build (`config.sections`).
"""

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.sections import (
    BreakerConfig,
    ChatEndpointConfig,
    EmbeddingConfig,
    IndexBuildConfig,
    IndexConfig,
    LocalModelConfig,
    MemoryBackendName,
    MemoryConfig,
    ModelCapabilities,
    RetrievalConfig,
    ScopeKind,
    SessionBackend,
    SqliteSynchronous,
    StorageConfig,
    TurnLimits,
)

PROJECT_DOCS = Path(__file__).resolve().parents[1] / "docs"
"""The gateway's own documentation: the default RAG corpus."""

ChatBackend = Literal["auto", "local", "openai"]


class Settings(BaseSettings):
    """Every knob of the gateway, with the `SAGE_*` environment names of the reference gateway."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", populate_by_name=True)

    host: str = Field("127.0.0.1", alias="SAGE_GATEWAY_HOST", description="Address to bind.")
    port: int = Field(8889, ge=0, le=65535, alias="SAGE_GATEWAY_PORT", description="Port to bind.")
    data_dir: Path = Field(
        Path("~/.sage/gateway"), alias="SAGE_GATEWAY_DATA_DIR", description="Sessions, model cache and indexes."
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        alias="SAGE_GATEWAY_WORKERS",
        description="uvicorn worker processes (SQLite or PostgreSQL sessions; the embedded model is served "
        "once for all of them).",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field("info", alias="SAGE_GATEWAY_LOG_LEVEL")
    session_backend: SessionBackend = Field(
        "sqlite",
        alias="SAGE_GATEWAY_SESSION_BACKEND",
        description="Where sessions live: sqlite files under the data dir, memory (lost on exit; tests), or "
        "postgres (implied by SAGE_GATEWAY_DATABASE_URL).",
    )
    sqlite_synchronous: SqliteSynchronous = Field(
        "normal",
        alias="SAGE_GATEWAY_SQLITE_SYNCHRONOUS",
        description="SQLite commits: normal survives a process crash; full also survives power loss (slower).",
    )
    database_url: SecretStr | None = Field(
        None,
        alias="SAGE_GATEWAY_DATABASE_URL",
        description="postgresql://... : sessions and memory in PostgreSQL (several gateway processes can share it).",
    )
    database_pool_size: int = Field(10, ge=1, le=200, alias="SAGE_GATEWAY_DATABASE_POOL_SIZE")
    memory_backend: MemoryBackendName = Field(
        "kv", alias="SAGE_GATEWAY_MEMORY_BACKEND", description="Default memory backend of new sessions."
    )
    memory_backends_allowed: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["short_term", "vdb", "kv", "graph"],
        alias="SAGE_GATEWAY_MEMORY_BACKENDS_ALLOWED",
        description="Backends a client may pick per session at creation (comma separated).",
    )
    memory_extractor: Literal["rules", "llm"] = Field(
        "rules",
        alias="SAGE_GATEWAY_MEMORY_EXTRACTOR",
        validation_alias=AliasChoices("SAGE_GATEWAY_MEMORY_EXTRACTOR", "SAGE_GATEWAY_GRAPH_EXTRACTOR"),
        description="Facts from turns: rules; llm = the rules, plus the chat model in the background (checked).",
    )
    memory_read_scopes: Annotated[list[ScopeKind], NoDecode] = Field(
        default_factory=lambda: list[ScopeKind](["session", "user"]),
        alias="SAGE_GATEWAY_MEMORY_READ_SCOPES",
        description="Memory a turn reads facts from: session, user (the key's owner or the request's user).",
    )
    memory_write_scopes: Annotated[list[ScopeKind], NoDecode] = Field(
        default_factory=lambda: list[ScopeKind](["user"]),
        alias="SAGE_GATEWAY_MEMORY_WRITE_SCOPES",
        description="Memory a turn writes the facts it states to: session, user.",
    )
    memory_summaries: bool = Field(
        True, alias="SAGE_GATEWAY_MEMORY_SUMMARIES", description="The model summarises turns older than the window."
    )
    memory_top_k: int = Field(5, ge=1, le=50, alias="SAGE_GATEWAY_MEMORY_TOP_K", description="Items recalled.")
    memory_window: int = Field(
        20, ge=1, le=1000, alias="SAGE_GATEWAY_MEMORY_WINDOW", description="short_term memory: turns kept."
    )
    memory_max_tokens: int = Field(
        3000, ge=64, alias="SAGE_GATEWAY_MEMORY_MAX_TOKENS", description="short_term memory: token budget."
    )

    chat_backend: ChatBackend = Field(
        "auto",
        alias="SAGE_CHAT_BACKEND",
        description="auto = openai when SAGE_CHAT_BASE_URL is set, else the embedded local model.",
    )
    chat_base_url: str | None = Field(None, alias="SAGE_CHAT_BASE_URL")
    chat_model: str | None = Field(None, alias="SAGE_CHAT_MODEL")
    chat_api_key: SecretStr | None = Field(None, alias="SAGE_CHAT_API_KEY")
    chat_timeout_seconds: float = Field(60.0, gt=0, alias="SAGE_CHAT_TIMEOUT_SECONDS")
    chat_connect_timeout_seconds: float = Field(5.0, gt=0, alias="SAGE_CHAT_CONNECT_TIMEOUT_SECONDS")
    chat_max_retries: int = Field(1, ge=0, le=10, alias="SAGE_CHAT_MAX_RETRIES")
    breaker_failures: int = Field(
        5, ge=1, alias="SAGE_CHAT_BREAKER_FAILURES", description="Consecutive backend failures that open the breaker."
    )
    breaker_reset_seconds: float = Field(
        30.0, gt=0, alias="SAGE_CHAT_BREAKER_RESET_SECONDS", description="How long the breaker stays open."
    )
    turn_timeout_seconds: float = Field(
        120.0,
        gt=0,
        alias="SAGE_GATEWAY_TURN_TIMEOUT_SECONDS",
        description="One deadline per turn, covering the answer and its fallback (504 past it).",
    )
    lock_wait_seconds: float = Field(
        15.0,
        gt=0,
        alias="SAGE_GATEWAY_LOCK_WAIT_SECONDS",
        description="How long a request waits for a busy session before a 409 with Retry-After.",
    )
    stream_buffer_events: int = Field(
        8192, ge=16, alias="SAGE_GATEWAY_STREAM_BUFFER_EVENTS", description="Events buffered for a slow reader."
    )
    stream_send_timeout_seconds: float = Field(
        30.0,
        gt=0,
        alias="SAGE_GATEWAY_STREAM_SEND_TIMEOUT_SECONDS",
        description="How long one send to a stream's client may block before the stream is cut.",
    )
    chat_context_tokens: int | None = Field(
        None,
        ge=1,
        alias="SAGE_CHAT_CONTEXT_TOKENS",
        description="The chat model's context window, listed by /v1/models (default: SAGE_LOCAL_CONTEXT_TOKENS for "
        "the embedded model, undeclared for a remote one).",
    )
    chat_tools: bool = Field(True, alias="SAGE_CHAT_TOOLS", description="The backend can call tools (`tools`).")
    chat_json_schema: bool = Field(
        True, alias="SAGE_CHAT_JSON_SCHEMA", description="The backend honours `response_format` (JSON, JSON schema)."
    )
    chat_vision: bool = Field(
        False, alias="SAGE_CHAT_VISION", description="The backend takes image content parts (else they get a 400)."
    )
    chat_logprobs: bool = Field(True, alias="SAGE_CHAT_LOGPROBS", description="The backend reports `logprobs`.")
    chat_max_choices: int = Field(
        4, ge=1, le=16, alias="SAGE_CHAT_MAX_CHOICES", description="The largest `n` a request may ask for."
    )
    chat_max_tokens_cap: int = Field(
        4096, ge=1, alias="SAGE_CHAT_MAX_TOKENS_CAP", description="Upper bound on a request's max_tokens."
    )

    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        alias="SAGE_GATEWAY_API_KEY",
        description="Client keys (comma separated) required as 'Authorization: Bearer' on /v1, /sessions, /memory.",
    )
    admin_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        alias="SAGE_GATEWAY_ADMIN_KEY",
        description="Operator keys (comma separated) for /admin, /sessions/cleanup and /metrics.",
    )
    insecure: bool = Field(
        False, alias="SAGE_GATEWAY_INSECURE", description="Allow binding a non-loopback address without any key."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        alias="SAGE_GATEWAY_CORS_ORIGINS",
        description="Browser origins allowed to call the API (comma separated); empty = no cross-origin access.",
    )
    cors_allow_credentials: bool = Field(
        False, alias="SAGE_GATEWAY_CORS_ALLOW_CREDENTIALS", description="Let those origins send cookies."
    )
    max_body_bytes: int = Field(
        4_000_000, ge=1024, alias="SAGE_GATEWAY_MAX_BODY_BYTES", description="Larger request bodies get 413."
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        alias="SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS",
        description="A connection whose request headers have not all arrived this long after it (or the request) "
        "began is closed (slowloris).",
    )
    body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        alias="SAGE_GATEWAY_BODY_TIMEOUT_SECONDS",
        description="A request whose body has not all arrived this long after its headers gets 408.",
    )
    keep_alive_seconds: int = Field(
        5, ge=1, alias="SAGE_GATEWAY_KEEP_ALIVE_SECONDS", description="Idle keep-alive connections are closed after."
    )
    max_connections: int = Field(
        1024,
        ge=1,
        alias="SAGE_GATEWAY_MAX_CONNECTIONS",
        description="Connections held open at once (per process); more are answered 503 and closed at once.",
    )
    rate_limit_per_minute: int = Field(
        0, ge=0, alias="SAGE_GATEWAY_RATE_LIMIT_PER_MINUTE", description="Requests per key a minute; 0 = no limit."
    )
    rate_limit_burst: int | None = Field(
        None, ge=1, alias="SAGE_GATEWAY_RATE_LIMIT_BURST", description="Bucket size (default: the per-minute rate)."
    )
    auth_failures_per_minute: int = Field(
        10,
        ge=0,
        alias="SAGE_GATEWAY_AUTH_FAILURES_PER_MINUTE",
        description="Missing or wrong keys a client address may present a minute (in a burst of as many) before "
        "its requests get 429, with keys configured; 0 = no limit.",
    )
    anonymous_rate_limit_per_minute: int = Field(
        1200,
        ge=0,
        alias="SAGE_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE",
        description="Requests a client address may send a minute to the routes that need no key (/health, /ready, "
        "/, /ui, docs), with keys configured; 0 = no limit.",
    )

    local_model_path: Path | None = Field(
        None,
        alias="SAGE_LOCAL_MODEL_PATH",
        description="Use this GGUF instead of the packaged one (its SHA-256 must match SAGE_LOCAL_MODEL_SHA256).",
    )
    local_model_sha256: str | None = Field(None, alias="SAGE_LOCAL_MODEL_SHA256")
    local_context_tokens: int = Field(4096, ge=512, alias="SAGE_LOCAL_CONTEXT_TOKENS")
    local_threads: int = Field(0, ge=0, alias="SAGE_LOCAL_THREADS", description="0 = one per core.")
    local_parallel: int = Field(2, ge=1, le=16, alias="SAGE_LOCAL_PARALLEL", description="Concurrent slots.")
    local_served_url: str | None = Field(
        None,
        alias="SAGE_LOCAL_SERVED_URL",
        description="The embedded model as already served at this /v1 root on loopback: with --workers N the "
        "supervising process serves it once and sets this for its workers.",
    )

    embedding_base_url: str | None = Field(None, alias="SAGE_EMBEDDING_BASE_URL")
    embedding_model: str | None = Field(
        None, alias="SAGE_EMBEDDING_MODEL", description="Remote embedding model name (with SAGE_EMBEDDING_BASE_URL)."
    )
    embedding_api_key: SecretStr | None = Field(None, alias="SAGE_EMBEDDING_API_KEY")

    docs_roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [PROJECT_DOCS],
        alias="SAGE_GATEWAY_DOCS_ROOTS",
        description="Folders an index may be built from (separated by the OS path separator or commas).",
    )
    default_docs_dir: Path = Field(
        PROJECT_DOCS, alias="SAGE_GATEWAY_DEFAULT_DOCS", description="Corpus indexed on first start when none exists."
    )
    auto_index: bool = Field(True, alias="SAGE_GATEWAY_AUTO_INDEX", description="Index the default corpus if needed.")
    index_name: str = Field("sage-docs", alias="SAGE_GATEWAY_INDEX_NAME")
    chunk_size: int = Field(800, ge=100, le=8000, alias="SAGE_RAG_CHUNK_SIZE")
    chunk_overlap: int = Field(160, ge=0, le=2000, alias="SAGE_RAG_CHUNK_OVERLAP")
    top_k: int = Field(3, ge=1, le=50, alias="SAGE_RAG_TOP_K", description="Passages given to the model at most.")
    min_score: float = Field(
        0.35,
        ge=-1,
        le=1,
        alias="SAGE_RAG_MIN_SCORE",
        description="Cosine similarity that makes a passage relevant (calibrated: `python -m bench.quality`).",
    )
    min_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        alias="SAGE_RAG_MIN_COVERAGE",
        description="Or: the share of the question's terms (IDF-weighted) a passage must contain to be relevant.",
    )
    search_mode: Literal["hybrid", "dense", "lexical"] = Field(
        "hybrid", alias="SAGE_RAG_SEARCH", description="Dense and BM25 fused by rank, or one of them alone."
    )
    search_chinese: Literal["hybrid", "dense", "lexical"] | None = Field(
        None,
        alias="SAGE_RAG_SEARCH_CHINESE",
        description="How a question written mostly in Chinese is searched; default: lexical with the packaged "
        "(English-only) embedding model, else as SAGE_RAG_SEARCH.",
    )
    hnsw_threshold: int = Field(
        50_000, ge=1, alias="SAGE_RAG_HNSW_THRESHOLD", description="Above this many chunks, use an HNSW index."
    )

    max_file_bytes: int = Field(
        2_000_000, ge=1, alias="SAGE_RAG_MAX_FILE_BYTES", description="Ingest refuses (skips) larger files."
    )

    intent_rules_path: Path | None = Field(
        None, alias="SAGE_INTENT_RULES_PATH", description="A JSON rule table replacing the packaged one."
    )
    intent_classifier: Literal["rules", "llm"] = Field(
        "rules", alias="SAGE_INTENT_CLASSIFIER", description="llm: ask the model when no rule matches."
    )

    @field_validator(
        "memory_backends_allowed",
        "memory_read_scopes",
        "memory_write_scopes",
        "api_keys",
        "admin_keys",
        "cors_origins",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> "Settings":
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError("SAGE_GATEWAY_CORS_ORIGINS='*' cannot be combined with credentials: list the origins")
        return self

    @property
    def keys_configured(self) -> bool:
        return bool(self.api_keys or self.admin_keys)

    @field_validator("docs_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for chunk in value.split(",") for part in chunk.split(os.pathsep)]
            return [Path(part.strip()).expanduser() for part in parts if part.strip()]
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand_user(cls, value: Path) -> Path:
        return value.expanduser()

    def resolved_session_backend(self) -> SessionBackend:
        """A database URL means PostgreSQL, whatever SAGE_GATEWAY_SESSION_BACKEND says."""
        return "postgres" if self.database_url else self.session_backend

    def resolved_chat_backend(self) -> Literal["local", "openai"]:
        """Turn `auto` into a concrete backend: a configured base URL wins over the embedded model."""
        if self.chat_backend != "auto":
            return self.chat_backend
        return "openai" if self.chat_base_url else "local"

    def storage(self) -> StorageConfig:
        return StorageConfig(
            backend=self.resolved_session_backend(),
            data_dir=self.data_dir,
            sqlite_synchronous=self.sqlite_synchronous,
            database_url=self.database_url,
            pool_size=self.database_pool_size,
        )

    def index(self) -> IndexConfig:
        build = IndexBuildConfig(
            index_name=self.index_name,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            hnsw_threshold=self.hnsw_threshold,
            max_file_bytes=self.max_file_bytes,
        )
        return IndexConfig(index_dir=self.data_dir / "index", build=build, roots=tuple(self.docs_roots))

    def embedding(self) -> EmbeddingConfig:
        return EmbeddingConfig(
            base_url=self.embedding_base_url, model=self.embedding_model, api_key=self.embedding_api_key
        )

    def chat_endpoint(self) -> ChatEndpointConfig:
        return ChatEndpointConfig(
            backend=self.resolved_chat_backend(),
            base_url=self.chat_base_url,
            model=self.chat_model,
            api_key=self.chat_api_key,
            timeout_seconds=self.chat_timeout_seconds,
            connect_timeout_seconds=self.chat_connect_timeout_seconds,
            max_retries=self.chat_max_retries,
        )

    def capabilities(self) -> ModelCapabilities:
        local = self.resolved_chat_backend() == "local"
        return ModelCapabilities(
            context_tokens=self.chat_context_tokens or (self.local_context_tokens if local else None),
            tools=self.chat_tools,
            json_schema=self.chat_json_schema,
            vision=self.chat_vision,
            logprobs=self.chat_logprobs,
            max_choices=self.chat_max_choices,
        )

    def local_model(self) -> LocalModelConfig:
        return LocalModelConfig(
            cache_dir=self.data_dir / "models",
            model_path=self.local_model_path,
            model_sha256=self.local_model_sha256,
            context_tokens=self.local_context_tokens,
            threads=self.local_threads,
            parallel=self.local_parallel,
            served_url=self.local_served_url,
        )

    def breaker(self) -> BreakerConfig:
        return BreakerConfig(failures=self.breaker_failures, reset_seconds=self.breaker_reset_seconds)

    def turn_limits(self) -> TurnLimits:
        return TurnLimits(
            deadline_seconds=self.turn_timeout_seconds,
            lock_wait_seconds=self.lock_wait_seconds,
            stream_buffer_events=self.stream_buffer_events,
            stream_send_timeout_seconds=self.stream_send_timeout_seconds,
        )

    def memory(self) -> MemoryConfig:
        return MemoryConfig(
            default_backend=self.memory_backend,
            selectable=tuple(self.memory_backends_allowed),
            window_turns=self.memory_window,
            max_tokens=min(self.memory_max_tokens, (self.capabilities().context_tokens or 10**9) // 2),
            top_k=self.memory_top_k,
            read_scopes=tuple(self.memory_read_scopes),
            write_scopes=tuple(self.memory_write_scopes),
            extractor=self.memory_extractor,
            summaries=self.memory_summaries,
        )

    def retrieval(self) -> RetrievalConfig:
        packaged_embeddings = self.embedding_base_url is None and self.embedding_model is None
        chinese = self.search_chinese or ("lexical" if packaged_embeddings else self.search_mode)
        return RetrievalConfig(
            top_k=self.top_k,
            min_score=self.min_score,
            min_coverage=self.min_coverage,
            mode=self.search_mode,
            chinese_mode=chinese,
        )
