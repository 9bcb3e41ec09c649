"""Where memory lives: per session, and per user (shared by all of that user's sessions).

A user is the API key's owner, optionally narrowed by the end-user id a request names (`user`, or
`metadata.user_id`): one key serving many end users keeps each one's memory apart, and no key ever reaches
another key's memory, because the owner is part of every user namespace. Store namespace labels may not contain
dots, so the end-user id (any string a client sends) is hashed.
"""

import hashlib
from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["session", "user"]
SESSION_PREFIX = "memory"
USER_PREFIX = "memory-user"
NOBODY = "_"


@dataclass(frozen=True)
class Scope:
    """One memory scope: its kind, and the store namespace prefix its items live under."""

    kind: ScopeKind
    prefix: tuple[str, ...]

    def namespace(self, kind: str) -> tuple[str, ...]:
        return (*self.prefix, kind)


def session_scope(session_id: str) -> Scope:
    return Scope("session", (SESSION_PREFIX, session_id))


def user_key(owner: str, end_user: str | None) -> str:
    """The user a turn's user-scope memory belongs to: the key's owner, and the end user within it."""
    narrowed = hashlib.sha256(end_user.encode()).hexdigest()[:32] if end_user else NOBODY
    return f"{owner or NOBODY}:{narrowed}"


def user_scope(key: str) -> Scope:
    owner, _, narrowed = key.partition(":")
    return Scope("user", (USER_PREFIX, owner or NOBODY, narrowed or NOBODY))


@dataclass(frozen=True)
class ScopePolicy:
    """Which scopes a turn reads facts from and writes facts to (`SAGE_GATEWAY_MEMORY_READ_SCOPES`, `..._WRITE_...`)."""

    read: tuple[ScopeKind, ...] = ("session", "user")
    write: tuple[ScopeKind, ...] = ("user",)

    def reads(self, session_id: str, user: str | None) -> list[Scope]:
        return self._scopes(self.read, session_id, user)

    def writes(self, session_id: str, user: str | None) -> list[Scope]:
        """The scopes written; a turn with no user (a Studio run) writes its session's, so nothing is lost."""
        scopes = self._scopes(self.write, session_id, user)
        return scopes or self._scopes(("session",), session_id, None)

    @staticmethod
    def _scopes(kinds: tuple[ScopeKind, ...], session_id: str, user: str | None) -> list[Scope]:
        scopes = []
        if "session" in kinds and session_id:
            scopes.append(session_scope(session_id))
        if "user" in kinds and user is not None:
            scopes.append(user_scope(user))
        return scopes
