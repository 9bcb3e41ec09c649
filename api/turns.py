"""The turn runner: the one owner of a turn's transaction.

For each turn, in this order: hold the session's lock (`memory.locks`), read its registry record and refuse
another key's session (as if it did not exist), read the stored history only when the request may repeat it,
run the graph, then record the turn in the registry. When anything fails (the run, the registry write, a client
that goes away mid-stream) the turn's messages are taken back out of the thread and a session this turn would
have created is forgotten, so a failed request leaves the session exactly as it was.
"""

import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, cast

import anyio
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, RemoveMessage
from langchain_core.runnables import RunnableConfig

from api.auth import Caller
from api.cancellable import cancellable
from api.errors import session_not_found
from api.metrics import GatewayMetrics
from api.streaming import StreamCollector, TurnEvent
from api.turn_input import TurnRequest, may_repeat_history, new_messages
from api.turn_result import TurnFacts, TurnResult, answer_of
from api.usage import usage_of
from graph.builder import CompiledTurnGraph
from graph.names import STORE_MEMORY
from graph.steps import step_summary
from memory.locks import SessionLocks
from memory.sessions import SessionRecord, SessionRegistry
from turn.context import GatewayContext
from turn.state import InputState


@dataclass(frozen=True)
class OpenTurn:
    """A turn inside its transaction: the session as it was, and what this turn adds to it."""

    session_id: str
    owner: str
    """The caller's key fingerprint: a session this turn creates belongs to it."""
    record: SessionRecord | None
    """The session's registry record before the turn; None for a session this turn creates."""
    new_messages: list[AnyMessage]
    system_prompt: str | None
    context: GatewayContext

    @property
    def config(self) -> RunnableConfig:
        return {"configurable": {"thread_id": self.session_id}}

    @property
    def graph_input(self) -> InputState:
        return InputState(messages=self.new_messages, system_prompt=self.system_prompt)


class TurnRunner:
    """Runs turns on the compiled graph, one at a time per session, each as one transaction."""

    def __init__(
        self,
        graph: CompiledTurnGraph,
        sessions: SessionRegistry,
        locks: SessionLocks,
        *,
        default_memory_backend: str,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.graph = graph
        self.sessions = sessions
        self.locks = locks
        self.default_memory_backend = default_memory_backend
        self.metrics = metrics

    async def run(self, request: TurnRequest, caller: Caller) -> TurnResult:
        """Run a whole turn and return its answer."""
        async with self._transaction(request, caller) as turn:
            values = await self.graph.ainvoke(turn.graph_input, turn.config, context=turn.context, durability="exit")
            answer = answer_of(values.get("messages") or [], values.get("error"))
            result = self._result(turn, answer, TurnFacts.of(values), None, values.get("memory_context") or [])
            await self._commit(turn)
        return self._answered(result)

    async def stream(self, request: TurnRequest, caller: Caller) -> AsyncGenerator[TurnEvent]:
        """Yield the answer's tokens as the model produces them (and the steps, when asked), then the result."""
        started = time.perf_counter()
        collected = StreamCollector()
        async with self._transaction(request, caller) as turn:
            run = self.graph.astream(
                turn.graph_input,
                turn.config,
                context=turn.context,
                stream_mode=["messages", "values", "updates"] if request.steps else ["messages", "values"],
                durability="exit",
            )
            events = cancellable(run)  # closing `events` (a client disconnect) cancels the run and the model
            first_token = True
            try:
                async for mode, payload in events:
                    if mode == "updates":
                        for node, update in cast(dict[str, Any], payload).items():
                            yield TurnEvent(step=step_summary(node, update, time.perf_counter() - started))
                    token = collected.absorb(mode, payload)
                    if token:
                        if self.metrics is not None and first_token:
                            self.metrics.first_token(time.perf_counter() - started)
                        first_token = False
                        yield TurnEvent(token=token)
            finally:
                with anyio.CancelScope(shield=True):
                    await events.aclose()
            answer = answer_of(collected.messages, collected.values.get("error"))
            if collected.streamed_by is None and answer.text:  # an answer composed, not generated token by token
                yield TurnEvent(token=answer.text)
            if collected.usage_chunk is not None and not answer.usage_metadata:
                answer.usage_metadata = collected.usage_chunk.usage_metadata
            memory_context = collected.values.get("memory_context") or []
            facts = TurnFacts.of(collected.values)
            result = self._result(turn, answer, facts, collected.finish_reason, memory_context)
            await self._commit(turn)
        yield TurnEvent(result=self._answered(result))

    @asynccontextmanager
    async def _transaction(self, request: TurnRequest, caller: Caller) -> AsyncIterator[OpenTurn]:
        """Lock, claim and merge the turn; on any failure inside, undo it (see the module docstring)."""
        async with self.locks.hold(request.session_id):
            record = None if request.new_session else await self.sessions.get(request.session_id)
            if record is not None and record.owner != caller.owner:  # another key's session: as if it did not exist
                raise session_not_found(request.session_id)
            repeats = record is not None and may_repeat_history(request.dialogue)
            history = await self.sessions.messages(request.session_id) if repeats else []
            backend = (record.memory_backend if record else None) or self.default_memory_backend
            turn = OpenTurn(
                session_id=request.session_id,
                owner=caller.owner,
                record=record,
                new_messages=new_messages(request.dialogue, history),
                system_prompt=request.system_prompt,
                context=replace(request.context, session_id=request.session_id, memory_backend=backend),
            )
            try:
                yield turn
            except BaseException:
                with anyio.CancelScope(shield=True):  # even when cancelled: never leave half a turn behind
                    await self._undo(turn)
                raise

    async def _commit(self, turn: OpenTurn) -> None:
        """Record the turn in the registry: the session's activity, its message count (the turn's messages and the
        answer), its title while still default, and, for a session this turn created, its owner."""
        first_turn = turn.record is None or turn.record.message_count == 0
        first_user = next((m for m in turn.new_messages if isinstance(m, HumanMessage)), None)
        await self.sessions.record_turn(
            turn.session_id,
            turn.record,
            added_messages=len(turn.new_messages) + 1,
            first_user_text=first_user.text if first_turn and first_user else "",
            owner=turn.owner,
        )

    async def _undo(self, turn: OpenTurn) -> None:
        """Take the failed turn's messages back out of the thread; forget a session this turn would have created."""
        if turn.record is None:
            await self.sessions.delete(turn.session_id)
            return
        state = await self.graph.aget_state(turn.config)
        present = {m.id for m in state.values.get("messages", [])}
        removals = [RemoveMessage(id=m.id) for m in turn.new_messages if m.id in present and m.id]
        if removals:
            await self.graph.aupdate_state(turn.config, {"messages": removals}, as_node=STORE_MEMORY)

    def _result(
        self,
        turn: OpenTurn,
        answer: AIMessage,
        facts: TurnFacts,
        finish_reason: str | None,
        memory_context: list[AnyMessage],
    ) -> TurnResult:
        return TurnResult(
            session_id=turn.session_id,
            answer=answer,
            usage=usage_of(answer, [*memory_context, *turn.new_messages]),
            finish_reason=finish_reason or answer.response_metadata.get("finish_reason") or "stop",
            facts=facts,
        )

    def _answered(self, result: TurnResult) -> TurnResult:
        if self.metrics is not None:
            self.metrics.turn_answered(result.usage, result.facts)
        return result
