"""`POST /v1/chat/completions`: validate, resolve the session, run the turn, shape the OpenAI response."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from api.auth import ClientDep
from api.deps import ResourcesDep, RunnerDep, SessionsDep, SettingsDep
from api.errors import OpenAIError
from api.openai_schema import ChatCompletion, ChatCompletionRequest, ChatMessageOut, Choice, new_completion_id, unix_now
from api.routes.sessions import session_not_found
from api.streaming import ChunkWriter, sse_frames
from api.turns import prepare_turn
from graph.resources import Resources
from memory.sessions import SessionRegistry, is_valid_session_id
from nodes.turns import message_text

router = APIRouter(prefix="/v1", tags=["chat"])

DEFAULT_MODEL_ALIAS = "sage-default"


def served_model(requested: str, resources: Resources) -> str:
    """The backend model answering `requested`: the configured model or the `sage-default` alias."""
    if requested not in (resources.model_name, DEFAULT_MODEL_ALIAS):
        raise OpenAIError(
            404, f"model '{requested}' is not served here; see GET /v1/models", param="model", code="model_not_found"
        )
    return resources.model_name


def resolve_session_id(requested: str | None) -> str:
    """The body's or header's session id (a safe slug), or a new one."""
    if requested is None:
        return uuid.uuid4().hex
    if not is_valid_session_id(requested):
        raise OpenAIError(
            400, "session_id must be 1-128 letters, digits, '_' or '-'", param="session_id", code="invalid_session_id"
        )
    return requested


async def _forget_if_new(sessions: SessionRegistry, session_id: str, existed: bool) -> None:
    if not existed:
        await sessions.delete(session_id)


@router.post("/chat/completions", response_model=ChatCompletion)
async def create_chat_completion(
    body: ChatCompletionRequest,
    runner: RunnerDep,
    sessions: SessionsDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    caller: ClientDep,
    x_session_id: Annotated[str | None, Header()] = None,
) -> JSONResponse | EventSourceResponse:
    """Answer one chat turn in a session (created when new), as a JSON completion or an SSE stream.

    A new session is registered by the turn itself (`store_memory`), so a failed first turn leaves nothing.
    """
    model = served_model(body.model, resources)
    requested = body.session_id or x_session_id
    session_id = resolve_session_id(requested)
    # An id made up here (a stateless OpenAI client sends none) cannot exist yet: no registry read for it.
    record = await sessions.get(session_id) if requested is not None else None
    if record is not None and record.owner != caller.owner:  # another key's session: as if it did not exist
        raise session_not_found(session_id)
    existed = record is not None
    history = await sessions.messages(session_id) if existed else []
    turn = prepare_turn(
        body,
        session_id,
        history,
        max_tokens_cap=settings.chat_max_tokens_cap,
        owner=caller.owner,
        memory_backend=(record.memory_backend if record else None) or settings.memory_backend,
        new_session=requested is None,
    )
    headers = {"X-Session-Id": session_id}
    try:
        if body.stream:
            events = runner.stream(turn)
            first = await anext(events)  # fail before the 200 when the backend is down
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            frames = sse_frames(first, events, ChunkWriter(model), include_usage=include_usage)
            # On a client disconnect sse-starlette stops iterating but does not close the generator: the
            # background task does, which cancels the turn and the upstream call at once.
            return EventSourceResponse(frames, headers=headers, ping=15, background=BackgroundTask(frames.aclose))
        result = await runner.run(turn)
    except BaseException:
        await _forget_if_new(sessions, session_id, existed)
        raise
    completion = ChatCompletion(
        id=new_completion_id(),
        created=unix_now(),
        model=model,
        choices=[
            Choice(message=ChatMessageOut(content=message_text(result.answer)), finish_reason=result.finish_reason)
        ],
        usage=result.usage,
        session_id=session_id,
        sage=result.sage,
    )
    return JSONResponse(completion.model_dump(), headers=headers)
