"""The turn graph's node names, declared once: the builder adds the nodes under them, the edges route to them, and
the API picks the answer's tokens out of the stream by them."""

from typing import Final, Literal

LOAD_MEMORY: Final = "load_memory"
CLASSIFY_INTENT: Final = "classify_intent"
GENERATE_WORKFLOW: Final = "generate_workflow"
RETRIEVE: Final = "retrieve"
GENERATE_ANSWER: Final = "generate_answer"
ANSWER_DIRECT: Final = "answer_direct"
FALLBACK: Final = "fallback"
STORE_MEMORY: Final = "store_memory"
RECORD_SESSION: Final = "record_session"
"""Only in the graph the Agent Server runs: the gateway records its own turns (under the session's lock)."""

AnswerPath = Literal["generate_workflow", "retrieve", "generate_answer", "answer_direct"]
"""Where `classify_intent` hands a turn on."""

ANSWER_NODES: Final = frozenset({GENERATE_ANSWER, ANSWER_DIRECT, FALLBACK})
"""Nodes whose model tokens are the turn's answer (streamed to the client)."""
