"""Running one chat turn on the compiled graph: input shaping, per-session ordering, rollback on failure."""

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
from langchain_core.messages import AIMessage, AIMessageChunk, AnyMessage, HumanMessage, RemoveMessage
from langchain_core.messages.utils import count_tokens_approximately
from langgraph.graph.state import CompiledStateGraph

from api.cancellable import cancellable
from api.errors import OpenAIError
from api.metrics import GatewayMetrics
from api.openai_schema import ChatCompletionRequest, ChatMessageIn, Usage
from graph.builder import ANSWER_NODES
from graph.context import GatewayContext
from memory.locks import LocalSessionLocks, SessionLocks
from nodes.turns import message_text


@dataclass
class TurnInput:
    """What one request adds to its session, and the knobs it runs with."""

    session_id: str
    new_messages: list[AnyMessage]
    system_prompt: str | None
    context: GatewayContext
    steps: bool = False
    """Stream the graph's node-by-node progress too (the `sage.steps` request option)."""

    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.session_id}}


@dataclass
class TurnResult:
    """The outcome of a finished turn, as the response needs it."""

    answer: AIMessage
    usage: Usage
    finish_reason: str
    sage: dict[str, Any]


def _same(stored: AnyMessage, incoming: ChatMessageIn) -> bool:
    role = "user" if isinstance(stored, HumanMessage) else "assistant" if isinstance(stored, AIMessage) else "other"
    return role == incoming.role and message_text(stored) == incoming.text()


def prepare_turn(
    request: ChatCompletionRequest,
    session_id: str,
    history: Sequence[AnyMessage],
    *,
    max_tokens_cap: int,
    owner: str = "",
    memory_backend: str = "",
    new_session: bool = False,
) -> TurnInput:
    """Turn the request's `messages` into this turn's input, merged with the session's stored history.

    Policy: `system`/`developer` messages become the turn's system prompt (not stored). The other messages are
    appended to the session, except a leading run that repeats the stored history exactly, so a client that
    resends the whole conversation each time (as plain OpenAI clients do) does not duplicate it. The new
    messages must end with a user message.
    """
    system_parts = [m.text() for m in request.messages if m.role in ("system", "developer")]
    dialogue = [m for m in request.messages if m.role in ("user", "assistant")]
    overlap = 0
    if len(history) <= len(dialogue) and all(_same(s, i) for s, i in zip(history, dialogue, strict=False)):
        overlap = len(history)
    fresh = dialogue[overlap:]
    if not fresh or fresh[-1].role != "user":
        raise OpenAIError(400, "the last non-system message must be a new user message", param="messages")
    received = {"created_at": datetime.now(UTC).isoformat()}
    new_messages: list[AnyMessage] = [
        (HumanMessage if m.role == "user" else AIMessage)(
            m.text(), id=str(uuid.uuid4()), name=m.name, response_metadata=received
        )
        for m in fresh
    ]
    max_tokens = request.max_completion_tokens or request.max_tokens
    if max_tokens is not None and max_tokens > max_tokens_cap:
        raise OpenAIError(
            400, f"max_tokens may be at most {max_tokens_cap}", param="max_tokens", code="max_tokens_too_large"
        )
    context = GatewayContext(
        session_id=session_id,
        owner=owner,
        memory_backend=memory_backend,
        new_session=new_session,
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=max_tokens,
        stop=request.stop if isinstance(request.stop, list) else None,
        seed=request.seed,
        user=request.user,
    )
    steps = bool(request.sage and request.sage.steps)
    return TurnInput(session_id, new_messages, "\n\n".join(p for p in system_parts if p) or None, context, steps)


def usage_of(answer: AIMessage, prompt: Sequence[AnyMessage]) -> tuple[Usage, bool]:
    """Token usage as the backend reported it; an estimate (flagged) only when it reported none."""
    reported = answer.usage_metadata
    if reported:
        return (
            Usage(
                prompt_tokens=reported["input_tokens"],
                completion_tokens=reported["output_tokens"],
                total_tokens=reported["total_tokens"],
            ),
            False,
        )
    prompt_tokens = count_tokens_approximately(list(prompt))
    completion_tokens = count_tokens_approximately([answer])
    return Usage(
        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, total_tokens=prompt_tokens + completion_tokens
    ), True


def sage_extension(values: dict[str, Any], session_id: str, usage_estimated: bool) -> dict[str, Any]:
    """The `sage` object of a response: how the turn was answered."""
    extension: dict[str, Any] = {
        "session_id": session_id,
        "intent": values.get("intent") or None,
        "route": values.get("route_trace", []),
        "fallback": "fallback" in values.get("route_trace", []),
        "sources": values.get("sources", []),
    }
    if "generate_workflow" in extension["route"] and values.get("workflow"):
        extension["workflow"] = values["workflow"]
    if usage_estimated:
        extension["usage_estimated"] = True
    return extension


def answer_of(values: dict[str, Any]) -> AIMessage:
    """The turn's answer; a run that ended without one (it must not, but see `to_fallback`) is an error."""
    messages = values.get("messages") or []
    if values.get("route_trace", [])[-1:] != ["store_memory"] or not isinstance(
        messages[-1:] and messages[-1], AIMessage
    ):
        raise OpenAIError(
            502, f"the turn produced no answer ({values.get('error') or 'unknown failure'})", code="no_answer"
        )
    return messages[-1]


@dataclass
class StreamEvent:
    """One item of a streamed turn: a token, a finished graph step (when asked for), or (last) the result."""

    token: str | None = None
    result: TurnResult | None = None
    step: dict[str, Any] | None = None


def step_summary(node: str, update: Any, elapsed: float) -> dict[str, Any]:
    """What a client showing progress needs about one finished node: its name, when, and what it decided."""
    summary: dict[str, Any] = {"node": node, "elapsed_ms": round(elapsed * 1000, 1)}
    if not isinstance(update, dict):
        return summary
    if node == "classify_intent":
        summary.update(intent=update.get("intent"), confidence=update.get("intent_confidence"))
    elif node == "retrieve":
        summary["sources"] = len(update.get("sources") or [])
    elif node == "load_memory":
        summary["recalled_messages"] = len(update.get("memory_context") or [])
    elif node == "generate_workflow":
        summary["workflow"] = bool(update.get("workflow"))
    if update.get("error"):
        summary["error"] = update["error"]
    return summary


@dataclass
class _Collected:
    values: dict[str, Any] = field(default_factory=dict)
    answer: AIMessage | None = None
    usage_chunk: AIMessageChunk | None = None
    finish_reason: str | None = None
    streamed_by: str | None = None
    """The answer node whose tokens the client has been sent, if any."""

    def absorb(self, mode: str, payload: Any) -> str | None:
        """Take one `astream` item: returns answer text to stream, and keeps usage, finish reason and updates."""
        if mode == "messages":
            chunk, metadata = payload
            node = metadata.get("langgraph_node")
            if node not in ANSWER_NODES or not isinstance(chunk, AIMessageChunk):
                return None
            text = message_text(chunk)
            if self.streamed_by not in (None, node) and text:
                # The first answer broke off after the client saw part of it: a stream cannot take tokens back,
                # so the fallback's answer is not spliced onto it; the turn fails (and is rolled back) instead.
                raise OpenAIError(502, "the model backend failed in the middle of the answer", code="upstream_error")
            if chunk.usage_metadata:
                self.usage_chunk = chunk
            self.finish_reason = chunk.response_metadata.get("finish_reason") or self.finish_reason
            self.streamed_by = node if text else self.streamed_by
            return text or None
        for update in payload.values():
            if isinstance(update, dict):
                self.values.update({k: v for k, v in update.items() if k != "messages"})
                answers = [m for m in update.get("messages", []) if isinstance(m, AIMessage)]
                self.answer = answers[-1] if answers else self.answer
        return None


class TurnRunner:
    """Runs turns on the compiled graph, one at a time per session (see `memory.locks`), and undoes failed ones."""

    def __init__(
        self, graph: CompiledStateGraph, locks: SessionLocks | None = None, *, metrics: GatewayMetrics | None = None
    ) -> None:
        self.graph = graph
        self.locks = locks or LocalSessionLocks()
        self.metrics = metrics

    def _answered(self, result: TurnResult) -> TurnResult:
        if self.metrics is not None:
            self.metrics.turn_answered(result.usage, result.sage["route"])
        return result

    async def _rollback(self, turn: TurnInput) -> None:
        """Take the failed turn's messages back out, leaving the session as it was before the request."""
        removals = [RemoveMessage(id=m.id) for m in turn.new_messages if m.id]
        state = await self.graph.aget_state(turn.config)
        present = {m.id for m in state.values.get("messages", [])}
        removals = [r for r in removals if r.id in present]
        if removals:
            await self.graph.aupdate_state(turn.config, {"messages": removals}, as_node="store_memory")

    def _input(self, turn: TurnInput) -> dict[str, Any]:
        return {"messages": turn.new_messages, "system_prompt": turn.system_prompt}

    async def run(self, turn: TurnInput) -> TurnResult:
        """Run a whole turn and return its answer."""
        async with self.locks.hold(turn.session_id):
            try:
                values = await self.graph.ainvoke(
                    self._input(turn), turn.config, context=turn.context, durability="exit"
                )
                answer = answer_of(values)
            except BaseException:
                with anyio.CancelScope(shield=True):  # even when cancelled: never leave half a turn behind
                    await self._rollback(turn)
                raise
        usage, estimated = usage_of(answer, [*values.get("memory_context", []), *turn.new_messages])
        finish_reason = answer.response_metadata.get("finish_reason") or "stop"
        return self._answered(
            TurnResult(answer, usage, finish_reason, sage_extension(values, turn.session_id, estimated))
        )

    async def stream(self, turn: TurnInput) -> AsyncIterator[StreamEvent]:
        """Yield the answer's tokens as the model produces them, then the finished result."""
        collected = _Collected()
        started = time.perf_counter()
        async with self.locks.hold(turn.session_id):
            try:
                run = self.graph.astream(
                    self._input(turn),
                    turn.config,
                    context=turn.context,
                    stream_mode=["messages", "updates"],
                    durability="exit",
                )
                first_seen = False
                events = cancellable(run)  # closing `events` (a client disconnect) cancels the run and the model
                try:
                    async for mode, payload in events:
                        if turn.steps and mode == "updates":
                            for node, update in payload.items():
                                yield StreamEvent(step=step_summary(node, update, time.perf_counter() - started))
                        token = collected.absorb(mode, payload)
                        if token:
                            if self.metrics is not None and not first_seen:
                                self.metrics.first_token(time.perf_counter() - started)
                            first_seen = True
                            yield StreamEvent(token=token)
                finally:
                    with anyio.CancelScope(shield=True):
                        await events.aclose()
                answer = answer_of({**collected.values, "messages": [collected.answer] if collected.answer else []})
            except BaseException:
                with anyio.CancelScope(shield=True):  # even when cancelled: never leave half a turn behind
                    await self._rollback(turn)
                raise
        if collected.streamed_by is None and message_text(answer):  # an answer composed, not generated token by token
            yield StreamEvent(token=message_text(answer))
        if collected.usage_chunk is not None and not answer.usage_metadata:
            answer.usage_metadata = collected.usage_chunk.usage_metadata
        usage, estimated = usage_of(answer, [*collected.values.get("memory_context", []), *turn.new_messages])
        finish_reason = collected.finish_reason or answer.response_metadata.get("finish_reason") or "stop"
        yield StreamEvent(
            result=self._answered(
                TurnResult(answer, usage, finish_reason, sage_extension(collected.values, turn.session_id, estimated))
            )
        )
