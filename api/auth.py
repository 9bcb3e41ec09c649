"""Who is calling: bearer keys for clients and for operators, compared in constant time.

Two key sets come from the settings: client keys (`SAGE_GATEWAY_API_KEY`) open `/v1/*`, `/sessions/**` and
`/memory/**`; admin keys (`SAGE_GATEWAY_ADMIN_KEY`) open those and `/admin/**`, `/sessions/cleanup` and
`/metrics`. With no key at all the gateway is open, and the CLI then only binds loopback (see `api.cli`).
A client address that keeps presenting missing or wrong keys is refused with 429 before any key is compared.
Sessions belong to the fingerprint of the key that made them, never to the key itself, so no key is stored.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from api.errors import OpenAIError, too_many_requests
from api.token_bucket import RateLimiter

_BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: whose sessions it sees, and whether it may use operator routes."""

    owner: str
    admin: bool
    rate_key: str
    """What the rate limit counts against: the key's fingerprint, or the client address when keys are off."""


def key_fingerprint(key: str) -> str:
    """A stable, non-reversible name for a key (what session records store as their owner)."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:24]


class KeyRing:
    """The configured keys, checked without early exit so timing does not tell which key almost matched."""

    def __init__(self, client_keys: Iterable[SecretStr], admin_keys: Iterable[SecretStr]) -> None:
        self._client = [key.get_secret_value().encode() for key in client_keys]
        self._admin = [key.get_secret_value().encode() for key in admin_keys]

    @property
    def enabled(self) -> bool:
        return bool(self._client or self._admin)

    @property
    def admin_enabled(self) -> bool:
        return bool(self._admin)

    @staticmethod
    def _matches(presented: bytes, keys: list[bytes]) -> bool:
        found = False
        for key in keys:
            found |= hmac.compare_digest(presented, key)
        return found

    def is_client(self, presented: str) -> bool:
        return self._matches(presented.encode(), self._client)

    def is_admin(self, presented: str) -> bool:
        return self._matches(presented.encode(), self._admin)


def bearer_token(request: Request) -> str | None:
    """The key of an `Authorization: Bearer ...` header, or of an `x-api-key` header (as Anthropic's clients send
    it); None without either."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        return token
    return request.headers.get("x-api-key", "").strip() or None


def _client_address(request: Request) -> str:
    return f"addr-{request.client.host}" if request.client else "addr-unknown"


def _unauthorized(message: str) -> OpenAIError:
    return OpenAIError(401, message, code="invalid_api_key", headers=_BEARER_CHALLENGE)


def _refuse_if_failing(failures: RateLimiter, address: str) -> None:
    """429 for an address whose failure bucket is empty: it has guessed enough keys for now."""
    if failures.enabled and (wait := failures.wait(address)) > 0:
        raise too_many_requests(wait, "too many requests with a missing or wrong API key", "too_many_auth_failures")


def _failed(failures: RateLimiter, address: str, message: str) -> OpenAIError:
    """Count one failure against `address` and return the 401 it gets."""
    if failures.enabled:
        failures.acquire(address)
    return _unauthorized(message)


async def require_client(request: Request) -> Caller:
    """Any valid key (client or admin); everyone when the gateway runs without keys."""
    ring: KeyRing = request.app.state.keys
    address = _client_address(request)
    if not ring.enabled:
        return Caller(owner="", admin=True, rate_key=address)
    failures: RateLimiter = request.app.state.auth_failures
    _refuse_if_failing(failures, address)
    token = bearer_token(request)
    if token is None:
        raise _failed(failures, address, "missing API key: send it as 'Authorization: Bearer <key>'")
    is_admin = ring.is_admin(token)
    if not (is_admin or ring.is_client(token)):
        raise _failed(failures, address, "invalid API key")
    fingerprint = key_fingerprint(token)
    return Caller(owner=fingerprint, admin=is_admin, rate_key=fingerprint)


async def require_admin(request: Request) -> Caller:
    """An admin key; a client key gets 403, and without any admin key configured these routes stay closed
    (unless the gateway runs with no keys at all, on loopback)."""
    caller = await require_client(request)
    if caller.admin:
        return caller
    ring: KeyRing = request.app.state.keys
    if not ring.admin_enabled:
        raise OpenAIError(403, "admin routes are disabled: set SAGE_GATEWAY_ADMIN_KEY", code="admin_disabled")
    raise OpenAIError(403, "this route needs an admin key", code="admin_key_required")


ClientDep = Annotated[Caller, Depends(require_client)]
AdminDep = Annotated[Caller, Depends(require_admin)]
