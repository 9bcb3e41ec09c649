"""Input hygiene at the edge: no string in a JSON request body, object keys included, may hold a NUL character or
a lone UTF-16 surrogate.

Neither survives the trip inside: PostgreSQL text refuses NUL, and a surrogate without its pair cannot be encoded
as UTF-8 (for SQLite, the log, the model backend), so either one would fail deep in a turn with a 500. Here it is
a 400 naming the field (`param`, a dotted path such as `messages.0.content`), and the offending text is neither
echoed nor logged.

It costs nothing on ordinary bodies: in JSON such characters arrive only as `\\u` escapes or as raw bytes that
Python's decoder lets through (`json.loads` decodes bytes with `surrogatepass`, so the UTF-8 shape of a surrogate,
`ED A0..BF ..`, becomes one; a UTF-16 body is full of NUL bytes), so a body holding none of `\\u`, `\\xed` and
`\\x00` is passed on without being parsed.
"""

import json
import re
from dataclasses import dataclass
from email.message import Message as MimeMessage
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import OpenAIError
from api.limits import BODYLESS_METHODS, replay

_SUSPECT_BYTES = (b"\\u", b"\xed", b"\x00")
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class BadString:
    """Where the first forbidden character is, and which kind it is."""

    path: tuple[str | int, ...]
    """The path to the string (or, for a key, to the object holding it)."""
    in_key: bool
    nul: bool
    """True for a NUL character, False for a lone surrogate."""

    @property
    def param(self) -> str | None:
        return ".".join(str(part) for part in self.path) or None

    def error(self) -> OpenAIError:
        what = "a NUL character (\\u0000)" if self.nul else "an unpaired UTF-16 surrogate (such as \\ud800)"
        where = f"a key of {self.param or 'the body'}" if self.in_key else (self.param or "the body")
        return OpenAIError(
            400, f"{where} contains {what}, which no string may hold", param=self.param, code="invalid_string"
        )


def _bad(text: str, path: tuple[str | int, ...], in_key: bool) -> BadString | None:
    found = _FORBIDDEN.search(text)
    return BadString(path, in_key, found.group() == "\x00") if found else None


def find_bad_string(document: Any) -> BadString | None:
    """The first string (in document order) holding a NUL or a lone surrogate, walked without recursion."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if bad := _bad(value, path, in_key=False):
                return bad
        elif isinstance(value, dict):
            for key in value:
                if bad := _bad(key, path, in_key=True):
                    return bad
            stack.extend((path + (key,), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in reversed(list(enumerate(value))))
    return None


def check_body(body: bytes) -> BadString | None:
    """The first forbidden string of a JSON body; None when there is none, or when the body is not JSON (the
    route then reports that itself)."""
    if not any(suspect in body for suspect in _SUSPECT_BYTES):
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return find_bad_string(document)


def _is_json(scope: Scope) -> bool:
    """Whether the route will parse the body as JSON: a JSON media type, or none at all (as FastAPI does)."""
    content_type = dict(scope["headers"]).get(b"content-type")
    if content_type is None:
        return True
    mime = MimeMessage()
    mime["content-type"] = content_type.decode("latin-1")
    subtype = mime.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


class StringHygieneMiddleware:
    """400 `invalid_string` for a JSON body with a NUL or a lone surrogate in any string; the body is read whole
    (it is bounded by `BodySizeLimitMiddleware`, which must wrap this) and replayed to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(message.get("body", b"") for message in messages if message["type"] == "http.request")
        bad = check_body(body)
        if bad is not None:
            await bad.error().response_for(scope.get("path", ""))(scope, receive, send)
            return
        await self.app(scope, replay(messages, receive), send)
