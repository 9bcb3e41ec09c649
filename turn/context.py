"""Per-run knobs: JSON-typed, every one defaulted, because Studio and `langgraph dev` can only send JSON."""

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class GatewayContext:
    """Runtime context of one turn (`context_schema`). Live handles never go here; see `graph.resources`."""

    session_id: str = field(default="", metadata={"description": "The session (thread) this turn belongs to."})
    memory_backend: str = field(
        default="",
        metadata={"description": "The session's memory backend when the caller knows it; empty: look it up."},
    )
    top_k: int | None = field(
        default=None,
        metadata={"description": "How many passages retrieval considers; empty: the operator's SAGE_RAG_TOP_K."},
    )
    temperature: float | None = field(default=None, metadata={"description": "Sampling temperature."})
    top_p: float | None = field(default=None, metadata={"description": "Nucleus sampling mass."})
    max_tokens: int | None = field(default=None, metadata={"description": "Upper bound on answer tokens."})
    stop: list[str] | None = field(default=None, metadata={"description": "Stop sequences."})
    seed: int | None = field(default=None, metadata={"description": "Sampling seed, where the backend has one."})
    user: str | None = field(default=None, metadata={"description": "End-user id passed through to the backend."})

    def sampling_kwargs(self) -> dict[str, object]:
        """The OpenAI sampling parameters the client set, ready to bind onto the chat model call."""
        values = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "seed": self.seed,
            "user": self.user,
        }
        return {name: value for name, value in values.items() if value is not None}
