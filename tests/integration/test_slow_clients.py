"""Slow and greedy clients against a real uvicorn on loopback: headers that never finish (slowloris), bodies that
trickle, and more connections than the cap. Each is refused within its timeout, and the gateway keeps serving."""

import json
import select
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.app import create_app
from api.cli import server_config
from bench.fake_upstream import free_port, running_fake_upstream, serving_config_in_thread
from config.settings import Settings
from tests.fakes import fake_models
from tests.integration.servers import running_gateway

PARTIAL_HEADERS = b"GET /health HTTP/1.1\r\nHost: gateway\r\n"


@contextmanager
def gateway_in_thread(tmp_path: Path, **settings: object) -> Iterator[int]:
    """The gateway on fake models, served in this process as the CLI serves it; yields its port."""
    app_settings = Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_PORT=free_port(), SAGE_GATEWAY_AUTO_INDEX=False, **settings
    )
    config = server_config(create_app(app_settings, models=fake_models()), app_settings, None)
    with serving_config_in_thread(config):
        yield app_settings.port


def connect(port: int, first_bytes: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if first_bytes:
        sock.sendall(first_bytes)
    return sock


def hold_open(
    socks: list[socket.socket], seconds: float, trickle: bytes, silent: list[socket.socket] | None = None
) -> dict[socket.socket, float]:
    """Keep `socks` open for up to `seconds`, sending `trickle` on each every 0.2 s (as slowloris does), and the
    `silent` ones without sending anything; returns when each was closed by the server (seconds from the start)."""
    start = time.monotonic()
    closed: dict[socket.socket, float] = {}
    silent = silent or []
    socks = socks + silent
    while len(closed) < len(socks) and time.monotonic() - start < seconds:
        alive = [sock for sock in socks if sock not in closed]
        readable, _, _ = select.select(alive, [], [], 0.2)
        for sock in alive:
            try:
                if sock in readable:
                    if not sock.recv(65536):  # what the server says before it closes (a 408, say) is skipped
                        closed[sock] = time.monotonic() - start
                elif sock not in silent:
                    sock.sendall(trickle)
            except OSError:
                closed[sock] = time.monotonic() - start
    return closed


def read_response(sock: socket.socket, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """Read until the server closes the connection (within `timeout`): the status, headers and body."""
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def test_partial_headers_are_closed_within_the_header_timeout(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS=1) as port:
        trickling = [connect(port, PARTIAL_HEADERS) for _ in range(45)]
        silent = [connect(port) for _ in range(5)]
        closed = hold_open(trickling, seconds=5, trickle=b"X-Slow: 1\r\n", silent=silent)
        assert len(closed) == 50, f"{50 - len(closed)} of 50 slow connections still open after 5 s"
        assert all(0.8 <= at <= 2.5 for at in closed.values()), sorted(closed.values())
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        for sock in trickling + silent:
            sock.close()


def test_a_partial_request_is_told_408_and_a_silent_connection_is_just_closed(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS=0.5) as port:
        status, headers, body = read_response(connect(port, PARTIAL_HEADERS), timeout=3)
        assert (status, headers["connection"]) == (408, "close")
        assert json.loads(body)["error"]["code"] == "request_timeout"
        silent = connect(port)
        silent.settimeout(3)
        assert silent.recv(1024) == b""


def test_headers_on_a_kept_alive_connection_are_timed_too(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS=1, SAGE_GATEWAY_KEEP_ALIVE_SECONDS=30) as port:
        sock = connect(port, PARTIAL_HEADERS + b"\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(1.2)  # longer than the header timeout: an idle kept-alive connection is the keep-alive's business
        sock.sendall(PARTIAL_HEADERS)
        closed = hold_open([sock], seconds=4, trickle=b"X-Slow: 1\r\n")
        assert list(closed.values()) and list(closed.values())[0] <= 2


def test_a_trickling_body_gets_408_within_the_body_timeout(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_BODY_TIMEOUT_SECONDS=1) as port:
        sock = connect(
            port,
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            b"Content-Length: 4000\r\n\r\n{",
        )
        start = time.monotonic()
        for _ in range(4):  # a byte every 0.2 s does not extend the deadline
            time.sleep(0.2)
            sock.sendall(b" ")
        status, headers, body = read_response(sock, timeout=3)
        assert 1 <= time.monotonic() - start <= 3
        assert (status, headers["connection"]) == (408, "close")
        assert json.loads(body) == {
            "error": {
                "message": "the request body did not arrive within 1 s",
                "type": "invalid_request_error",
                "param": None,
                "code": "request_timeout",
            }
        }
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200


def test_a_body_still_trickling_after_the_response_is_not_read_forever(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_KEEP_ALIVE_SECONDS=1) as port:
        sock = connect(port, b"GET /health HTTP/1.1\r\nHost: gateway\r\nContent-Length: 100000\r\n\r\nx")
        closed = hold_open([sock], seconds=4, trickle=b"x")
        assert closed, "the connection is still open while its unread body trickles in"


def test_connections_beyond_the_cap_are_refused_at_once(tmp_path: Path) -> None:
    with gateway_in_thread(tmp_path, SAGE_GATEWAY_MAX_CONNECTIONS=5, SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS=30) as port:
        idle = [connect(port) for _ in range(5)]
        time.sleep(0.2)
        status, headers, body = read_response(connect(port), timeout=2)
        assert (status, headers["connection"]) == (503, "close")
        assert json.loads(body)["error"]["code"] == "too_many_connections"
        idle.pop().close()
        time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        for sock in idle:
            sock.close()


def test_the_cli_serves_with_the_header_timeout(tmp_path: Path) -> None:
    with running_fake_upstream() as (upstream_url, _):
        env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS": "1"}
        with running_gateway(env, tmp_path / "data") as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            socks = [connect(port, PARTIAL_HEADERS) for _ in range(20)]
            closed = hold_open(socks, seconds=5, trickle=b"X-Slow: 1\r\n")
            assert len(closed) == 20
            assert httpx.get(f"{base_url}/health", timeout=5).status_code == 200
