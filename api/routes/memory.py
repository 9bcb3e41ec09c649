"""`/memory/*`: which memory backends are configured, what each of the caller's sessions' memory holds, and the
remembered facts of a session or of the caller's user (`/memory/items`: list, search, create, update, delete,
history)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import ClientDep
from api.deps import GatewayDep, PageDep, SessionsDep, caller_session
from api.errors import OpenAIError
from api.schemas.memory import (
    MemoryConfigPublic,
    MemoryEvent,
    MemoryHistoryPublic,
    MemoryItemCreate,
    MemoryItemDeleted,
    MemoryItemPublic,
    MemoryItemsPublic,
    MemoryItemUpdate,
    MemorySettings,
    MemoryStatsPublic,
)
from api.schemas.sessions import PageInfo
from memory.backends import AVAILABLE_BACKENDS, SessionMemory
from memory.facts.catalog import MemoryCatalog, SearchMode
from memory.facts.ledger import Fact
from memory.scopes import Scope, session_scope, user_key, user_scope
from memory.sessions import SESSION_ID_PATTERN

router = APIRouter(prefix="/memory", tags=["memory"])


@router.get("/config", response_model=MemoryConfigPublic)
async def memory_config(gateway: GatewayDep) -> MemoryConfigPublic:
    """The default backend, its window, its settings, and the backends sessions may choose."""
    memory = gateway.memory
    settings = MemorySettings(
        window_turns=memory.window_turns,
        max_tokens=memory.max_tokens,
        top_k=memory.top_k,
        selectable_per_session=list(memory.selectable),
    )
    return MemoryConfigPublic(
        backend=memory.default_backend,
        max_dialogs=memory.window_turns,
        config=settings,
        available_backends=list(AVAILABLE_BACKENDS),
    )


@router.get("/stats", response_model=MemoryStatsPublic)
async def memory_stats(sessions: SessionsDep, caller: ClientDep, page: PageDep) -> MemoryStatsPublic:
    """Per session of a page of the caller's (as `GET /sessions` pages them): its backend, the items and bytes it
    holds, its last write, its message count."""
    listed = await sessions.list(caller.owner, limit=page.limit, offset=page.offset)
    usage = await sessions.memory_usage(listed)
    return MemoryStatsPublic(total_sessions=len(usage), sessions=usage, **PageInfo.of(listed).model_dump())


async def get_catalog(gateway: GatewayDep) -> MemoryCatalog:
    """The facts API over the gateway's shared fact memory (503 when memory keeps no facts here)."""
    memory = gateway.resources.memory
    facts = memory.facts if isinstance(memory, SessionMemory) else None
    if facts is None:
        raise OpenAIError(503, "this gateway keeps no memory items", code="memory_unavailable")
    return MemoryCatalog(facts)


async def get_scope(
    caller: ClientDep,
    sessions: SessionsDep,
    session_id: Annotated[
        str | None, Query(pattern=SESSION_ID_PATTERN.pattern, description="A session of the caller's: its memory.")
    ] = None,
    user: Annotated[
        str | None, Query(min_length=1, max_length=256, description="An end user within the caller's key.")
    ] = None,
) -> Scope:
    """The memory the caller names: a session of theirs, or their user's (the key's owner, narrowed to `user`);
    another key's session reads as not found, and no parameter reaches another key's user."""
    if session_id is not None and user is not None:
        raise OpenAIError(400, "give session_id or user, not both", param="user")
    if session_id is not None:
        await caller_session(session_id, sessions, caller.owner)
        return session_scope(session_id)
    return user_scope(user_key(caller.owner, user))


CatalogDep = Annotated[MemoryCatalog, Depends(get_catalog)]
ScopeDep = Annotated[Scope, Depends(get_scope)]


def item_of(fact: Fact, scope: Scope) -> MemoryItemPublic:
    return MemoryItemPublic.of(fact, scope.kind)


async def held_item(catalog: CatalogDep, scope: ScopeDep, item_id: str) -> Fact:
    fact = await catalog.get(scope, item_id)
    if fact is None or fact.retracted:
        raise OpenAIError(404, f"no memory item {item_id!r}", param="item_id", code="memory_item_not_found")
    return fact


HeldItem = Annotated[Fact, Depends(held_item)]


@router.get("/items", response_model=MemoryItemsPublic)
async def list_items(
    catalog: CatalogDep,
    scope: ScopeDep,
    page: PageDep,
    q: Annotated[str | None, Query(min_length=1, max_length=1000, description="Search for this.")] = None,
    mode: Annotated[SearchMode, Query(description="Search: lexical, semantic or hybrid (both fused).")] = "hybrid",
    deleted: Annotated[bool, Query(description="Include deleted items (with their history).")] = False,
) -> MemoryItemsPublic:
    """What the gateway remembers in the scope, oldest first; with `q`, the items matching it, best first."""
    if q is None:
        listed = await catalog.page(scope, limit=page.limit, offset=page.offset, deleted=deleted)
        return MemoryItemsPublic.of_page(listed.facts, listed.total, scope.kind, offset=page.offset, limit=page.limit)
    try:
        found = await catalog.search(scope, q, mode=mode, limit=page.limit)
    except LookupError as error:
        raise OpenAIError(400, str(error), param="mode") from error
    return MemoryItemsPublic.of_page(found, len(found), scope.kind, offset=0, limit=page.limit)


@router.post("/items", response_model=list[MemoryItemPublic])
async def create_items(catalog: CatalogDep, scope: ScopeDep, payload: MemoryItemCreate) -> list[MemoryItemPublic]:
    """Remember a sentence (the facts it states, or the sentence as a note) or a fact given whole."""
    created = await catalog.create(
        scope, text=payload.text, subject=payload.subject, predicate=payload.predicate, value=payload.value
    )
    return [item_of(fact, scope) for fact in created]


@router.get("/items/{item_id}", response_model=MemoryItemPublic)
async def get_item(fact: HeldItem, scope: ScopeDep) -> MemoryItemPublic:
    return item_of(fact, scope)


@router.patch("/items/{item_id}", response_model=MemoryItemPublic)
async def update_item(
    fact: HeldItem, scope: ScopeDep, catalog: CatalogDep, payload: MemoryItemUpdate
) -> MemoryItemPublic:
    """A new value; the old one stays in the item's history."""
    return item_of(await catalog.update(scope, fact, payload.value), scope)


@router.delete("/items/{item_id}", response_model=MemoryItemDeleted)
async def delete_item(fact: HeldItem, scope: ScopeDep, catalog: CatalogDep) -> MemoryItemDeleted:
    """Forget the item: it is never recalled again, nor is a remembered turn that still says its value."""
    await catalog.delete(scope, fact)
    return MemoryItemDeleted(id=fact.id, deleted=True)


@router.get("/items/{item_id}/history", response_model=MemoryHistoryPublic)
async def item_history(catalog: CatalogDep, scope: ScopeDep, item_id: str) -> MemoryHistoryPublic:
    """Every change of the item, deleted ones included."""
    fact = await catalog.get(scope, item_id)
    if fact is None:
        raise OpenAIError(404, f"no memory item {item_id!r}", param="item_id", code="memory_item_not_found")
    return MemoryHistoryPublic(id=fact.id, history=[MemoryEvent(**entry) for entry in fact.history])
