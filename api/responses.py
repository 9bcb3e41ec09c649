"""The Responses API over the turn runner: which session (and checkpoint) a request continues, the turn itself,
and the stored response it leaves.

`previous_response_id` continues the session of that response from the checkpoint it ended at. When the
session has moved on since (a later response was made from it), the request branches instead: a new session
holding the conversation as it was at that response, so the earlier chain is never rewritten. `conversation`
names a session directly.
"""

from dataclasses import dataclass
from typing import Any

from api.auth import Caller
from api.errors import OpenAIError
from api.protocols.openai_responses import (
    ResponseRequest,
    context_of,
    input_items_of,
    input_of,
    new_response_id,
    response_body,
)
from api.protocols.undeclared import refuse_undeclared
from api.turn_input import TurnRequest, resolve_session_id
from api.turn_result import TurnResult
from api.turns import TurnRunner
from graph.names import STORE_MEMORY
from memory.responses import ResponseStore, StoredResponse
from memory.sessions import SessionRegistry


def response_not_found(response_id: str) -> OpenAIError:
    return OpenAIError(404, f"response '{response_id}' not found", param="response_id", code="response_not_found")


def conversation_not_found(conversation_id: str) -> OpenAIError:
    message = f"conversation '{conversation_id}' not found"
    return OpenAIError(404, message, param="conversation", code="conversation_not_found")


@dataclass(frozen=True)
class PreparedResponse:
    """A request ready to run: its id, the turn, and what its response says of it."""

    response_id: str
    turn: TurnRequest
    request: ResponseRequest
    conversation: str | None


class ResponsesService:
    def __init__(self, runner: TurnRunner, sessions: SessionRegistry, responses: ResponseStore) -> None:
        self.runner = runner
        self.sessions = sessions
        self.responses = responses

    async def _session(self, request: ResponseRequest, caller: Caller) -> str | None:
        """The session the request continues (a branch of it, when it continues an earlier response); None for
        a new one."""
        conversation = request.conversation_id()
        if request.previous_response_id and conversation:
            raise OpenAIError(400, "give previous_response_id or conversation, not both", param="conversation")
        if request.previous_response_id:
            previous = await self.responses.get(caller.owner, request.previous_response_id)
            if previous is None or await self.sessions.owned(previous.session_id, caller.owner) is None:
                raise response_not_found(request.previous_response_id)
            if previous.checkpoint_id and await self.sessions.head(previous.session_id) != previous.checkpoint_id:
                branch = await self.sessions.fork(
                    previous.session_id, previous.checkpoint_id, caller.owner, as_node=STORE_MEMORY
                )
                return branch.id
            return previous.session_id
        if conversation:
            if await self.sessions.owned(conversation, caller.owner) is None:
                raise conversation_not_found(conversation)
            return conversation
        return None

    async def prepare(self, request: ResponseRequest, caller: Caller, *, max_tokens_cap: int) -> PreparedResponse:
        refuse_undeclared(request, "")
        context = context_of(request, max_tokens_cap)
        dialogue, system = input_of(request)
        named = await self._session(request, caller)
        if not request.store and named is not None:
            raise OpenAIError(400, "store: false keeps nothing, so it cannot continue a session", param="store")
        session_id, new_session = resolve_session_id(named)
        instructions = "\n\n".join(part for part in (request.instructions, system) if part) or None
        turn = TurnRequest(
            session_id=session_id,
            new_session=new_session,
            dialogue=dialogue,
            system_prompt=instructions,
            context=context,
            store=request.store,
        )
        return PreparedResponse(new_response_id(), turn, request, request.conversation_id())

    async def finish(
        self, prepared: PreparedResponse, result: TurnResult, model: str, caller: Caller, output: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The response's body; stored (with the checkpoint the turn ended at) unless `store` is false."""
        body = response_body(
            prepared.request, prepared.response_id, model, result=result, conversation=prepared.conversation
        )
        if output:
            body["output"] = output
        if prepared.request.store and result.session_id:
            checkpoint = await self.sessions.head(result.session_id)
            stored = StoredResponse(result.session_id, checkpoint, body, input_items_of(prepared.request))
            await self.responses.put(caller.owner, prepared.response_id, stored)
        return body

    async def create(self, prepared: PreparedResponse, caller: Caller, model: str) -> dict[str, Any]:
        result = await self.runner.run(prepared.turn, caller)
        return await self.finish(prepared, result, model, caller, [])

    async def stored(self, response_id: str, caller: Caller) -> StoredResponse:
        found = await self.responses.get(caller.owner, response_id)
        if found is None:
            raise response_not_found(response_id)
        return found

    async def delete(self, response_id: str, caller: Caller) -> None:
        if not await self.responses.delete(caller.owner, response_id):
            raise response_not_found(response_id)
