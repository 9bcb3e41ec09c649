"""Concurrent adversaries on a real gateway process: ownership, deletes and slow readers during a turn in flight.

Each test starts the gateway (`python -m api`) on loopback with two client keys, against the fake upstream, in
SQLite mode and in PostgreSQL mode; the turns in flight are made slow by the upstream, not by the gateway.
"""

import socket
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.fake_upstream import UpstreamBehaviour, running_fake_upstream
from tests.integration.servers import running_gateway

KEY_A, KEY_B = "sk-race-a", "sk-race-b"
IN_FLIGHT = 1.5
"""How long the upstream takes to answer: the window in which the other requests race the turn."""


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def turn_body(session_id: str, text: str, *, stream: bool = False) -> dict[str, object]:
    return {"session_id": session_id, "messages": [{"role": "user", "content": text}], "stream": stream}


@pytest.fixture(params=["sqlite", "postgres"])
def storage_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {"SAGE_GATEWAY_SESSION_BACKEND": "sqlite"}
    return {"SAGE_GATEWAY_DATABASE_URL": request.getfixturevalue("database_url")}


@pytest.fixture
def gateway(storage_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, UpstreamBehaviour]]:
    with running_fake_upstream(UpstreamBehaviour(response_delay=IN_FLIGHT)) as (upstream_url, behaviour):
        env = {
            **storage_env,
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_CHAT_MAX_RETRIES": "0",
            "SAGE_GATEWAY_API_KEY": f"{KEY_A},{KEY_B}",
            "SAGE_GATEWAY_LOCK_WAIT_SECONDS": "10",
        }
        with running_gateway(env, tmp_path) as base_url:
            yield base_url, behaviour


def in_flight(pool: ThreadPoolExecutor, base_url: str, session_id: str) -> Future[httpx.Response]:
    """Key A's turn on `session_id`, started and given time to reach the upstream."""
    future = pool.submit(
        httpx.post,
        f"{base_url}/v1/chat/completions",
        json=turn_body(session_id, "A's secret"),
        headers=headers(KEY_A),
        timeout=30,
    )
    time.sleep(IN_FLIGHT / 3)
    return future


def test_another_key_cannot_create_continue_or_read_a_session_whose_first_turn_is_in_flight(
    gateway: tuple[str, UpstreamBehaviour],
) -> None:
    base_url, _ = gateway
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = in_flight(pool, base_url, "race-1")
        taken = httpx.post(f"{base_url}/sessions", json={"session_id": "race-1"}, headers=headers(KEY_B))
        read = httpx.get(f"{base_url}/sessions/race-1", headers=headers(KEY_B))
        continued = pool.submit(
            httpx.post,
            f"{base_url}/v1/chat/completions",
            json=turn_body("race-1", "B here"),
            headers=headers(KEY_B),
            timeout=30,
        )
        assert first.result().status_code == 200
        assert continued.result().status_code == 404  # it waited for A's turn, then found A's session
    assert taken.status_code == 409
    assert read.status_code == 404
    assert "A's secret" not in continued.result().text
    owned = httpx.get(f"{base_url}/sessions/race-1", headers=headers(KEY_A)).json()
    assert [m["content"] for m in owned["messages"]][0] == "A's secret" and len(owned["messages"]) == 2
    assert httpx.get(f"{base_url}/sessions", headers=headers(KEY_B)).json()["sessions"] == []


def test_a_delete_during_a_turn_wins_and_the_session_does_not_come_back(
    gateway: tuple[str, UpstreamBehaviour],
) -> None:
    base_url, _ = gateway
    created = httpx.post(f"{base_url}/v1/chat/completions", json=turn_body("doomed", "hello"), headers=headers(KEY_A))
    assert created.status_code == 200
    with ThreadPoolExecutor(max_workers=2) as pool:
        turn = in_flight(pool, base_url, "doomed")
        deleted = httpx.delete(f"{base_url}/sessions/doomed", headers=headers(KEY_A), timeout=30)
        assert deleted.status_code == 200
        aborted = turn.result()
    assert aborted.status_code == 409 and aborted.json()["error"]["code"] == "turn_aborted"
    time.sleep(IN_FLIGHT)  # long after the upstream would have answered
    assert httpx.get(f"{base_url}/sessions/doomed", headers=headers(KEY_A)).status_code == 404


def test_a_clear_during_a_turn_wins(gateway: tuple[str, UpstreamBehaviour]) -> None:
    base_url, _ = gateway
    assert httpx.post(f"{base_url}/v1/chat/completions", json=turn_body("wiped", "one"), headers=headers(KEY_A))
    with ThreadPoolExecutor(max_workers=2) as pool:
        turn = in_flight(pool, base_url, "wiped")
        cleared = httpx.post(f"{base_url}/sessions/wiped/clear", headers=headers(KEY_A), timeout=30)
        assert cleared.status_code == 200
        assert turn.result().status_code == 409
    time.sleep(IN_FLIGHT)
    session = httpx.get(f"{base_url}/sessions/wiped", headers=headers(KEY_A)).json()
    assert session["messages"] == []


def unread_stream(base_url: str, session_id: str) -> socket.socket:
    """A streamed turn whose client sends the request and then never reads a byte (a small receive window)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = base_url.removeprefix("http://").split(":")
    sock.connect((host, int(port)))
    body = httpx.Request("POST", f"{base_url}/v1/chat/completions", json=turn_body(session_id, "talk", stream=True))
    head = "".join(f"{name}: {value}\r\n" for name, value in {**body.headers, **headers(KEY_A)}.items())
    sock.sendall(f"POST /v1/chat/completions HTTP/1.1\r\n{head}\r\n".encode() + body.read())
    return sock


def sessions_gone(base_url: str, session_ids: list[str], *, within: float) -> list[bool]:
    """Whether each session is gone (404) by `within` seconds from now: a turn still running holds its claimed
    session until it ends, so this waits for the turns rather than guessing how long they take."""
    deadline = time.monotonic() + within
    gone = [False] * len(session_ids)
    while not all(gone) and time.monotonic() < deadline:
        for number, session_id in enumerate(session_ids):
            if not gone[number]:
                response = httpx.get(f"{base_url}/sessions/{session_id}", headers=headers(KEY_A))
                gone[number] = response.status_code == 404
        time.sleep(0.2)
    return gone


def test_unread_streams_do_not_hold_locks_or_connections(storage_env: dict[str, str], tmp_path: Path) -> None:
    chunk = "x" * 8000
    long_answer = " ".join([chunk] * 1000)  # 8 MB a stream: more than the sockets' buffers hold
    with running_fake_upstream(UpstreamBehaviour(answer=long_answer)) as (upstream_url, _):
        env = {
            **storage_env,
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_GATEWAY_API_KEY": KEY_A,
            "SAGE_GATEWAY_DATABASE_POOL_SIZE": "10",  # the unread streams alone would take every lock connection
            "SAGE_GATEWAY_LOCK_WAIT_SECONDS": "5",
            "SAGE_GATEWAY_STREAM_BUFFER_EVENTS": "64",
        }
        with running_gateway(env, tmp_path) as base_url:
            readers = [unread_stream(base_url, f"unread-{n}") for n in range(10)]
            time.sleep(3)  # every stream's turn has run into its unread socket by now
            timings: list[float] = []
            answers: list[httpx.Response] = []
            for session_id in ("eleventh", "unread-0"):  # a new session, and the session of an unread stream
                started = time.monotonic()
                answers.append(
                    httpx.post(
                        f"{base_url}/v1/chat/completions",
                        json=turn_body(session_id, "me again"),
                        headers=headers(KEY_A),
                        timeout=30,
                    )
                )
                timings.append(time.monotonic() - started)
            cut = sessions_gone(base_url, [f"unread-{n}" for n in range(1, 10)], within=60)
            for sock in readers:
                sock.close()
    assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
    assert max(timings) < 5
    # Each unread stream's turn outran its 64-event buffer and was cut: rolled back, so its new session is gone.
    assert cut == [True] * 9
