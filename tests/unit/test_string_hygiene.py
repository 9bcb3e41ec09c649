"""NUL characters and lone surrogates are refused at the edge, in any string of any JSON body, with a 400 that names
the field and echoes nothing; valid surrogate pairs and other escapes pass, and clean bodies are never parsed."""

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api import string_hygiene
from api.string_hygiene import check_body

MARK = "zq7-private-text"
"""Part of every offending string: it must appear in no response and no log line."""

JSON = {"Content-Type": "application/json"}


def chat_body(**fields: object) -> dict[str, object]:
    return {"model": "sage-default", "messages": [{"role": "user", "content": "hello"}], **fields}


def raw(document: object, bad: str) -> bytes:
    """`document` as JSON with `@BAD@` replaced by the raw JSON text `bad` (an escape json.dumps would not write)."""
    return json.dumps(document).replace("@BAD@", bad).encode()


LONE_HIGH, LONE_LOW, NUL = "\\ud800", "\\udc00", "\\u0000"
USER_BAD = [{"role": "user", "content": f"{MARK}@BAD@"}]

CASES = [
    ("/v1/chat/completions", chat_body(messages=USER_BAD), "messages.0.content"),
    (
        "/v1/chat/completions",
        chat_body(messages=[{"role": "system", "content": f"@BAD@{MARK}"}, {"role": "user", "content": "hi"}]),
        "messages.0.content",
    ),
    ("/v1/chat/completions", chat_body(stop=f"{MARK}@BAD@"), "stop"),
    ("/v1/chat/completions", chat_body(stop=["ok", f"{MARK}@BAD@"]), "stop.1"),
    (
        "/v1/chat/completions",
        chat_body(messages=[{"role": "user", "content": [{"type": "text", "text": f"{MARK}@BAD@"}]}]),
        "messages.0.content.0.text",
    ),
    ("/v1/chat/completions", chat_body(user=f"{MARK}@BAD@"), "user"),
    ("/v1/workflows/generate", {"prompt": f"build a pipeline {MARK}@BAD@"}, "prompt"),
    ("/sessions", {"title": f"{MARK}@BAD@"}, "title"),
    ("/sessions", {"title": "fine", "memory_backend": "k@BAD@v"}, "memory_backend"),
]


@pytest.mark.parametrize("bad", [LONE_HIGH, LONE_LOW, NUL, LONE_LOW + LONE_HIGH])
@pytest.mark.parametrize(("path", "document", "param"), CASES)
def test_a_bad_string_anywhere_is_400_naming_it(
    client: TestClient, caplog: pytest.LogCaptureFixture, path: str, document: object, param: str, bad: str
) -> None:
    before = client.get("/sessions").json()
    with caplog.at_level(logging.DEBUG):
        response = client.post(path, content=raw(document, bad), headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (param, "invalid_string", "invalid_request_error")
    assert ("NUL" in error["message"]) == (bad == NUL)
    assert MARK not in response.text and MARK not in caplog.text
    assert client.get("/sessions").json() == before


def test_a_bad_title_is_refused_by_patch_too(client: TestClient) -> None:
    assert client.post("/sessions", json={"session_id": "s1", "title": "kept"}).status_code == 200
    for bad in (LONE_HIGH, NUL):
        response = client.patch("/sessions/s1/title", content=raw({"title": "x@BAD@"}, bad), headers=JSON)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "title"
    assert client.get("/sessions/s1").json()["metadata"]["title"] == "kept"


def test_nothing_reaches_memory(client: TestClient) -> None:
    assert client.post("/sessions", json={"session_id": "m1", "memory_backend": "kv"}).status_code == 200
    before = client.get("/sessions/m1/memory").json()
    body = raw(chat_body(session_id="m1", messages=[{"role": "user", "content": "my name is A@BAD@da"}]), NUL)
    response = client.post("/v1/chat/completions", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages.0.content"
    assert client.get("/sessions/m1/memory").json() == before
    assert client.get("/sessions/m1").json()["messages"] == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b'{"messages": [{"ro\\u0000le": "user", "content": "hi"}]}', "messages.0"),  # a key
        (b'{"t\\ud800": 1}', None),  # a key of the body itself
        ('{"title": "raw \udc80 bytes"}'.encode("utf-8", "surrogatepass"), "title"),  # no escape at all
        ('{"title": "utf-16 \\u0000"}'.encode("utf-16"), "title"),
    ],
)
def test_keys_raw_surrogate_bytes_and_other_encodings_are_caught(body: bytes, param: str | None) -> None:
    bad = check_body(body)
    assert bad is not None
    assert bad.param == param


def test_the_first_bad_string_in_document_order_is_named() -> None:
    bad = check_body(raw({"a": ["ok", {"b": "@BAD@"}], "c": "@BAD@"}, NUL))
    assert bad is not None and bad.param == "a.1.b"


def test_valid_pairs_and_other_escapes_pass(client: TestClient) -> None:
    text = "caf\\u00e9 \\ud83d\\ude00 \\u4f60\\u597d \\\\u0000 is only text"
    body = raw(chat_body(messages=[{"role": "user", "content": "@BAD@"}]), text)
    assert check_body(body) is None
    assert client.post("/v1/chat/completions", content=body, headers=JSON).status_code == 200


def test_clean_bodies_are_never_parsed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[object] = []
    monkeypatch.setattr(string_hygiene, "find_bad_string", lambda document: walked.append(document))
    assert client.post("/v1/chat/completions", json=chat_body(), headers=JSON).status_code == 200
    assert client.post("/sessions", json={"title": "plain ascii and non-ascii: 你好"}).status_code == 200
    assert walked == []


def test_bodies_that_are_not_json_are_left_to_the_route(client: TestClient) -> None:
    assert check_body(b'{"broken": "\\u0000') is None
    response = client.post("/sessions", content=b'{"title": "\\u0000', headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] != "invalid_string"
