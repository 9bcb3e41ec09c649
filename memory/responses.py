"""Stored responses of the Responses API: each names the session (thread) it was a turn of and the checkpoint
that turn ended at, so a later request continues exactly from it."""

from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

RESPONSES_NAMESPACE = "responses"


@dataclass(frozen=True)
class StoredResponse:
    session_id: str
    checkpoint_id: str | None
    body: dict[str, Any]
    input_items: list[dict[str, Any]]


def _namespace(owner: str) -> tuple[str, str]:
    return (RESPONSES_NAMESPACE, owner or "-")  # a store label may not be empty; "-" is no key fingerprint


class ResponseStore:
    """Responses by owner: another key's id is not found, as if it did not exist."""

    def __init__(self, store: BaseStore) -> None:
        self.store = store

    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        item = await self.store.aget(_namespace(owner), response_id)
        if item is None:
            return None
        value = item.value
        return StoredResponse(value["session_id"], value.get("checkpoint_id"), value["body"], value["input_items"])

    async def put(self, owner: str, response_id: str, response: StoredResponse) -> None:
        value = {
            "session_id": response.session_id,
            "checkpoint_id": response.checkpoint_id,
            "body": response.body,
            "input_items": response.input_items,
        }
        await self.store.aput(_namespace(owner), response_id, value, index=False)

    async def delete(self, owner: str, response_id: str) -> bool:
        if await self.store.aget(_namespace(owner), response_id) is None:
            return False
        await self.store.adelete(_namespace(owner), response_id)
        return True
