"""The turn runner: the one owner of a turn's transaction.

For each turn, in this order: hold the session's lock (`memory.locks`, waited on for a bounded time), read its
registry record and refuse another key's session (as if it did not exist), claim a new client-named session for
the caller (its record, owner included, is written before the run, so no other key can create, continue or read
it meanwhile), read the stored history only when the request may repeat it, run the graph under one deadline,
then record the turn in the registry. When anything fails (the run, the deadline, the registry write, a client
that goes away mid-stream, a delete of the session) the turn's messages are taken back out of the thread and a
session this turn created is forgotten, so a failed request leaves the session exactly as it was.

Every turn runs in its own task (`api.turn_tasks`), which holds the lock. A stream's events go to its reader
through a buffer, so the turn runs, commits and lets go of the lock at the model's pace whatever the reader does:
a reader that falls more than `stream_buffer_events` behind has its turn cut (rolled back); one that stops reading
after the turn committed keeps the committed turn, and the response's send timeout closes its connection.
Deletes and clears (`exclusive(abort=True)`) cancel the session's turns in this process before they take the
lock, so they win: the turn is rolled back and its client gets a 409, never a resurrected session. A turn in
another process (PostgreSQL, several workers) is waited for instead; the delete still comes last.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeGuard, cast

import anyio
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, RemoveMessage
from langchain_core.runnables import RunnableConfig

from api.auth import Caller
from api.errors import OpenAIError, session_not_found
from api.metrics import GatewayMetrics
from api.streaming import STREAM_MODES, StreamCollector, TurnEvent
from api.turn_input import TurnRequest, conversation_key, may_repeat_history, new_messages
from api.turn_result import TurnFacts, TurnResult, answer_of, finish_reason_of
from api.turn_tasks import TurnTasks
from api.usage import usage_of
from config.sections import TurnLimits
from graph.builder import CompiledTurnGraph
from graph.names import STORE_MEMORY
from graph.steps import step_summary
from memory.locks import SessionLocks
from memory.scopes import user_key
from memory.sessions import SessionRecord, SessionRegistry
from turn.context import GatewayContext
from turn.state import InputState


def turn_aborted(session_id: str) -> OpenAIError:
    return OpenAIError(
        409, f"session '{session_id}' was deleted or cleared during the turn", param="session_id", code="turn_aborted"
    )


@dataclass(frozen=True)
class ConversationLink:
    """The conversation index entry of a session the client never named (`SessionRegistry.find_conversation`);
    it is the turn's owner's."""

    found_by: str | None
    """The key this request found the session by (replaced by the session's new key when the turn commits)."""


@dataclass(frozen=True)
class OpenTurn:
    """A turn inside its transaction: the session as it was, and what this turn adds to it."""

    session_id: str
    owner: str
    """The caller's key fingerprint: a session this turn creates belongs to it."""
    record: SessionRecord | None
    """The session's registry record (as claimed, for a session this turn creates); None for a gateway-named new
    session, registered only when the turn commits (nobody else can know its id before)."""
    created: bool
    """This turn created the session: undoing the turn forgets the session."""
    new_messages: list[AnyMessage]
    system_prompt: str | None
    context: GatewayContext
    store: bool = True
    """False: the turn is answered, then undone (`store: false` keeps nothing)."""
    conversation: ConversationLink | None = None
    """For a session the client never named: how requests that resend its conversation find it again."""

    @property
    def config(self) -> RunnableConfig:
        return {"configurable": {"thread_id": self.session_id}}

    @property
    def graph_input(self) -> InputState:
        return InputState(messages=self.new_messages, system_prompt=self.system_prompt)


def _plain(event: TurnEvent | BaseException) -> TypeGuard[TurnEvent]:
    """Only text: no tool call, logprobs, step or result to keep apart."""
    return (
        isinstance(event, TurnEvent)
        and event.token is not None
        and event.delta is None
        and event.step is None
        and event.result is None
        and event.session_id is None
    )


class _Reader:
    """The stream's side of the buffer between a turn's task and the request that reads it."""

    def __init__(self, bound: int) -> None:
        self.queue: asyncio.Queue[TurnEvent | BaseException] = asyncio.Queue()
        self.bound = bound
        self.held: TurnEvent | BaseException | None = None
        """An event taken from the queue while joining text, to be read next."""

    async def next(self) -> TurnEvent | BaseException:
        """The next event; a text token comes joined with the text tokens queued right behind it, so a fast
        backend's burst goes out as one frame and one write instead of one of each per token (nothing waits for
        more to come: a lone token goes out as it is)."""
        event = self.held if self.held is not None else await self.queue.get()
        self.held = None
        return self._with_queued_text(event) if _plain(event) else event

    def _with_queued_text(self, event: TurnEvent) -> TurnEvent:
        texts = [event.token or ""]
        while not self.queue.empty():
            following = self.queue.get_nowait()
            if not _plain(following):
                self.held = following
                break
            texts.append(following.token or "")
        return event if len(texts) == 1 else TurnEvent(token="".join(texts))

    def send(self, event: TurnEvent) -> None:
        if self.queue.qsize() >= self.bound:
            message = f"the stream's reader fell {self.bound} events behind; the turn was cut and rolled back"
            raise OpenAIError(503, message, code="stream_overflow")
        self.queue.put_nowait(event)

    def finish(self, end: TurnEvent | BaseException) -> None:
        self.queue.put_nowait(end)  # the last item is never refused


class TurnRunner:
    """Runs turns on the compiled graph, one at a time per session, each as one transaction."""

    def __init__(
        self,
        graph: CompiledTurnGraph,
        sessions: SessionRegistry,
        locks: SessionLocks,
        *,
        limits: TurnLimits,
        default_memory_backend: str,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.graph = graph
        self.sessions = sessions
        self.locks = locks
        self.limits = limits
        self.default_memory_backend = default_memory_backend
        self.metrics = metrics
        self.tasks = TurnTasks()

    async def run(self, request: TurnRequest, caller: Caller) -> TurnResult:
        """Run a whole turn and return its answer."""
        task = self.tasks.start(request.session_id, self._invoke(request, caller))
        try:
            result = await task
        except asyncio.CancelledError:
            self._raise_if_aborted(task, request.session_id)
            raise
        return self._answered(result)

    async def stream(self, request: TurnRequest, caller: Caller) -> AsyncGenerator[TurnEvent]:
        """Yield the answer's tokens as the model produces them (and the steps, when asked), then the result.
        Closing the generator early (the client left) cancels the turn, which rolls it back."""
        reader = _Reader(self.limits.stream_buffer_events)
        task = self.tasks.start(request.session_id, self._produce(request, caller, reader))
        try:
            while True:
                item = await reader.next()
                if isinstance(item, asyncio.CancelledError):
                    self._raise_if_aborted(task, request.session_id)
                if isinstance(item, BaseException):
                    raise item
                if item.result is not None:
                    yield TurnEvent(result=self._answered(item.result))
                    return
                yield item
        finally:
            if not task.done():
                task.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.gather(task, return_exceptions=True)

    @asynccontextmanager
    async def exclusive(self, session_id: str, owner: str, *, abort: bool = False) -> AsyncIterator[SessionRecord]:
        """Hold the caller's session for a change (rename, clear, delete), with its record as it is under the lock.
        With `abort`, the session's turns in this process are cancelled first, so the change wins over them."""
        if abort:
            self.tasks.abort(session_id)
        async with self.locks.hold(session_id, wait=self.limits.lock_wait_seconds):
            record = await self.sessions.owned(session_id, owner)
            if record is None:
                raise session_not_found(session_id)
            yield record

    @asynccontextmanager
    async def locked(self, session_id: str) -> AsyncIterator[None]:
        """Hold a session id's lock (to create a session under it, so no turn claims it at the same time)."""
        async with self.locks.hold(session_id, wait=self.limits.lock_wait_seconds):
            yield

    async def _invoke(self, request: TurnRequest, caller: Caller) -> TurnResult:
        async with self._transaction(request, caller) as turn:
            with self._deadline():
                values = await self.graph.ainvoke(
                    turn.graph_input, turn.config, context=turn.context, durability="exit"
                )
            messages = values.get("messages") or []
            answer = answer_of(messages)
            result = self._result(turn, answer, values, None)
            await self._commit(turn, messages)
        return result

    async def _produce(self, request: TurnRequest, caller: Caller, reader: _Reader) -> None:
        """The streamed turn's task: runs it into `reader`, and always ends the reader's queue (the result or
        the failure, cancellation included)."""
        try:
            result = await self._run_streamed(request, caller, reader)
        except BaseException as exc:
            reader.finish(exc)
            raise
        reader.finish(TurnEvent(result=result))

    async def _run_streamed(self, request: TurnRequest, caller: Caller, reader: _Reader) -> TurnResult:
        started = time.perf_counter()
        collected = StreamCollector()
        async with self._transaction(request, caller) as turn:
            reader.send(TurnEvent(session_id=turn.session_id if turn.store else ""))
            with self._deadline():
                run = self.graph.astream(
                    turn.graph_input,
                    turn.config,
                    context=turn.context,
                    stream_mode=[*STREAM_MODES, "updates"] if request.steps else list(STREAM_MODES),
                    durability="exit",
                )
                await self._forward(run, collected, reader, started)
            answer = answer_of(collected.messages)
            if collected.streamed_by is None and answer.text:  # an answer composed, not generated token by token
                reader.send(TurnEvent(token=answer.text))
            if collected.usage_chunk is not None and not answer.usage_metadata:
                answer.usage_metadata = collected.usage_chunk.usage_metadata
            result = self._result(turn, answer, collected.values, collected.finish_reason)
            await self._commit(turn, collected.messages)
        return result

    async def _forward(
        self, run: AsyncIterator[Any], collected: StreamCollector, reader: _Reader, started: float
    ) -> None:
        """Hand the run's answer tokens (and step summaries) to the reader as they come; keep the rest."""
        first_token = True
        async with aclosing(cast(AsyncGenerator[Any], run)):  # the run ends (and writes) here, before any undo
            async for mode, payload in run:
                if mode == "updates":
                    for node, update in cast(dict[str, Any], payload).items():
                        reader.send(TurnEvent(step=step_summary(node, update, time.perf_counter() - started)))
                delta = collected.absorb(mode, payload)
                if delta is not None:
                    if self.metrics is not None and first_token:
                        self.metrics.first_token(time.perf_counter() - started)
                    first_token = False
                    plain = not (delta.tool_calls or delta.function_call or delta.logprobs)
                    reader.send(TurnEvent(token=delta.text or None, delta=None if plain else delta))

    @contextmanager
    def _deadline(self) -> Iterator[None]:
        """One deadline over the graph run: the answer, the fallback and whatever they wait on."""
        with anyio.move_on_after(self.limits.deadline_seconds) as scope:
            yield
        if scope.cancelled_caught:
            message = f"the turn did not finish within its deadline ({self.limits.deadline_seconds:g} s)"
            raise OpenAIError(504, message, code="turn_timeout")

    @asynccontextmanager
    async def _transaction(self, request: TurnRequest, caller: Caller) -> AsyncIterator[OpenTurn]:
        """Lock, claim and merge the turn; on any failure inside, undo it (see the module docstring)."""
        async with AsyncExitStack() as held:
            found = await self._resumed(request, caller, held)
            record: SessionRecord | None
            history: Sequence[AnyMessage]
            found_by: str | None = None
            if found is not None:
                request, record, history, found_by = found
            else:
                await held.enter_async_context(self.locks.hold(request.session_id, wait=self.limits.lock_wait_seconds))
                record = None if request.new_session else await self.sessions.get(request.session_id)
                if record is not None and record.owner != caller.owner:  # another key's session: as if not there
                    raise session_not_found(request.session_id)
                repeats = record is not None and may_repeat_history(request.dialogue)
                history = await self.sessions.messages(request.session_id) if repeats else []
            fresh = new_messages(request.dialogue, history)
            created = record is None
            if record is None and not request.new_session:  # the claim: the id is the caller's from here on
                record = await self.sessions.create(request.session_id, owner=caller.owner)
            backend = (record.memory_backend if record else None) or self.default_memory_backend
            unnamed = request.new_session or found is not None
            turn = OpenTurn(
                session_id=request.session_id,
                owner=caller.owner,
                record=record,
                created=created,
                new_messages=fresh,
                system_prompt=request.system_prompt,
                context=replace(
                    request.context,
                    session_id=request.session_id,
                    memory_backend=backend,
                    memory_user=user_key(caller.owner, request.context.end_user),
                ),
                store=request.store,
            )
            if unnamed and request.store:
                turn = replace(turn, conversation=ConversationLink(found_by))
            try:
                yield turn
            except BaseException:
                with anyio.CancelScope(shield=True):  # even when cancelled: never leave half a turn behind
                    await self._undo(turn)
                raise

    async def _resumed(
        self, request: TurnRequest, caller: Caller, held: AsyncExitStack
    ) -> tuple[TurnRequest, SessionRecord, Sequence[AnyMessage], str] | None:
        """For a request that names no session but resends a conversation: the caller's session that holds
        exactly that conversation, locked, with its record, history and the conversation's key; None when there is
        none (the turn then starts a new session holding the resent conversation)."""
        if not request.resumes_conversation:
            return None
        key = conversation_key(request.conversation_so_far())
        candidate = await self.sessions.find_conversation(caller.owner, key)
        if candidate is None:
            return None
        lock = await held.enter_async_context(AsyncExitStack())
        await lock.enter_async_context(self.locks.hold(candidate, wait=self.limits.lock_wait_seconds))
        record = await self.sessions.owned(candidate, caller.owner)
        history = await self.sessions.messages(candidate) if record is not None else []
        if record is None or conversation_key(history) != key:  # moved on, or gone
            await lock.aclose()
            return None
        return replace(request, session_id=candidate, new_session=False), record, history, key

    async def _commit(self, turn: OpenTurn, messages: Sequence[AnyMessage]) -> None:
        """Record the turn in the registry: the session's activity, its message count (as the checkpoint has
        it, so a count left stale by a crash is put right by the next turn), its title while still default, and,
        for a session this turn created, its owner. A session the client never named is indexed by its
        conversation, so the next request that resends it continues it. A `store: false` turn is undone."""
        if not turn.store:
            await self._undo(turn)
            return
        message_count = len(messages)
        first_turn = turn.record is None or turn.record.message_count == 0
        first_user = next((m for m in turn.new_messages if isinstance(m, HumanMessage)), None)
        await self.sessions.record_turn(
            turn.session_id,
            turn.record,
            message_count=message_count,
            first_user_text=first_user.text if first_turn and first_user else "",
            owner=turn.owner,
            origin="conversation" if turn.conversation is not None else "named",
        )
        if turn.conversation is not None:
            await self.sessions.link_conversation(
                turn.owner, conversation_key(messages), turn.session_id, turn.conversation.found_by
            )

    async def _undo(self, turn: OpenTurn) -> None:
        """Take the failed turn's messages back out of the thread; forget a session this turn created."""
        if turn.created:
            await self.sessions.delete(turn.session_id)
            return
        state = await self.graph.aget_state(turn.config)
        present = {m.id for m in state.values.get("messages", [])}
        removals = [RemoveMessage(id=m.id) for m in turn.new_messages if m.id in present and m.id]
        if removals:
            await self.graph.aupdate_state(turn.config, {"messages": removals}, as_node=STORE_MEMORY)

    def _raise_if_aborted(self, task: asyncio.Task[Any], session_id: str) -> None:
        """A turn cancelled by a delete or clear of its session ends in a 409 (not in a cancelled request)."""
        current = asyncio.current_task()
        if self.tasks.was_aborted(task) and (current is None or not current.cancelling()):
            raise turn_aborted(session_id) from None

    def _result(
        self, turn: OpenTurn, answer: AIMessage, values: dict[str, Any], finish_reason: str | None
    ) -> TurnResult:
        alternatives = [m for m in values.get("alternatives") or [] if isinstance(m, AIMessage)]
        prompt = [*(values.get("memory_context") or []), *turn.new_messages]
        missing = max(0, turn.context.choices - 1 - len(alternatives))
        usage = usage_of(answer, prompt, alternatives)
        if missing:  # a composed answer (a designed workflow) is one answer: every choice repeats it, flagged
            alternatives = [*alternatives, *([answer] * missing)]
        return TurnResult(
            session_id=turn.session_id if turn.store else "",
            answer=answer,
            usage=usage,
            finish_reason=finish_reason_of(answer, finish_reason),
            facts=TurnFacts.of(values),
            alternatives=alternatives,
            choices_repeated=missing > 0,
        )

    def _answered(self, result: TurnResult) -> TurnResult:
        if self.metrics is not None:
            self.metrics.turn_answered(result.usage, result.facts)
        return result
