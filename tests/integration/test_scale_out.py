"""Real gateway processes: two on one PostgreSQL or one SQLite data dir, 100 concurrent turns, workers, kill -9
durability, client disconnect."""

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.fake_upstream import UpstreamBehaviour, running_fake_upstream
from tests.integration.servers import running_gateway, start_gateway, stop


@pytest.fixture
def upstream() -> Iterator[tuple[str, UpstreamBehaviour]]:
    with running_fake_upstream(UpstreamBehaviour(answer="ok " * 5, delay_per_token=0.002)) as served:
        yield served


def env_for(upstream_url: str, database_url: str | None = None) -> dict[str, str]:
    env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_CHAT_MODEL": "fake-upstream", "SAGE_CHAT_MAX_RETRIES": "0"}
    if database_url:
        env["SAGE_GATEWAY_DATABASE_URL"] = database_url
    return env


def turn(base_url: str, session_id: str, text: str, timeout: float = 30) -> int:
    body = {"model": "sage-default", "session_id": session_id, "messages": [{"role": "user", "content": text}]}
    return httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=timeout).status_code


def conversation(base_url: str, session_id: str) -> list[dict[str, str]]:
    return httpx.get(f"{base_url}/sessions/{session_id}", timeout=10).json()["messages"]


@pytest.mark.parametrize("mode", ["sqlite", "postgres"])
def test_two_processes_share_sessions_and_100_concurrent_turns_lose_nothing(
    upstream: tuple[str, UpstreamBehaviour], tmp_path: Path, request: pytest.FixtureRequest, mode: str
) -> None:
    database_url = request.getfixturevalue("database_url") if mode == "postgres" else None
    env = env_for(upstream[0], database_url)
    # SQLite: both serve one data dir; PostgreSQL: separate data dirs, one database.
    first_dir, second_dir = (tmp_path, tmp_path) if mode == "sqlite" else (tmp_path / "a", tmp_path / "b")
    with running_gateway(env, first_dir) as first, running_gateway(env, second_dir) as second:
        jobs = [(session, n) for n in range(5) for session in range(20)]  # 100 turns, 20 sessions

        def run(job: tuple[int, int]) -> int:
            session, n = job
            return turn(first if (session + n) % 2 else second, f"s{session}", f"turn {n} of s{session}")

        with ThreadPoolExecutor(max_workers=32) as pool:
            assert list(pool.map(run, jobs)) == [200] * 100
        listing = httpx.get(f"{first}/sessions").json()
        assert listing["stats"] == {"total_sessions": 20, "total_messages": 200}
        for session in range(20):
            messages = conversation(second, f"s{session}")
            assert [m["role"] for m in messages] == ["user", "assistant"] * 5
            assert sorted(m["content"] for m in messages[0::2]) == [f"turn {n} of s{session}" for n in range(5)]


@pytest.mark.parametrize("mode", ["sqlite", "postgres"])
def test_kill_9_during_load_loses_no_acknowledged_turn(
    upstream: tuple[str, UpstreamBehaviour],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    mode: str,
    report_figure: Callable[[str], None],
) -> None:
    database_url = request.getfixturevalue("database_url") if mode == "postgres" else None
    env = env_for(upstream[0], database_url)
    process, base_url = start_gateway(env, tmp_path)
    acknowledged: list[tuple[str, str]] = []
    stop_at = threading.Event()

    def client(worker: int) -> None:
        for n in range(1000):
            if stop_at.is_set():
                return
            session, text = f"w{worker}", f"message {n} from w{worker}"
            try:
                if turn(base_url, session, text, timeout=10) == 200:
                    acknowledged.append((session, text))
            except httpx.HTTPError:
                return  # the server died under us: this turn was never acknowledged

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stop_at.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 40

    process, base_url = start_gateway(env, tmp_path)
    try:
        for worker in range(8):
            messages = conversation(base_url, f"w{worker}") if any(s == f"w{worker}" for s, _ in acknowledged) else []
            said = [m["content"] for m in messages if m["role"] == "user"]
            for session, text in acknowledged:
                if session == f"w{worker}":
                    assert text in said, f"acknowledged turn lost: {text}"
            roles = [m["role"] for m in messages]
            assert roles == ["user", "assistant"] * (len(roles) // 2)  # readable and consistent: whole turns only
    finally:
        stop(process)
    report_figure(f"kill -9 under load ({mode}): {len(acknowledged)} acknowledged turns, 0 lost")


def test_client_disconnect_cancels_upstream_and_records_nothing(tmp_path: Path) -> None:
    slow = UpstreamBehaviour(answer=" ".join(["word"] * 200), delay_per_token=0.05)
    with (
        running_fake_upstream(slow) as (upstream_url, behaviour),
        running_gateway(env_for(upstream_url), tmp_path) as url,
    ):
        body = {
            "model": "sage-default",
            "session_id": "cut",
            "stream": True,
            "messages": [{"role": "user", "content": "go"}],
        }
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=30) as response:
            received = 0
            for line in response.iter_lines():
                if line.startswith("data: {") and '"content":"' in line and "word" in line:
                    received += 1
                if received >= 3:
                    break
            left_at = time.monotonic()
        deadline = left_at + 5
        while not behaviour.streams_cut and time.monotonic() < deadline:
            time.sleep(0.02)
        assert behaviour.streams_cut, "the upstream stream was not cancelled"
        assert behaviour.streams_cut[0] - left_at < 1.0
        time.sleep(0.3)
        session = httpx.get(f"{url}/sessions/cut", timeout=10)
        assert session.status_code == 404 or session.json()["messages"] == []  # not recorded, not half-written


def test_workers_need_shared_sessions(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.integration.servers import PROJECT_ROOT

    refused = subprocess.run(
        [sys.executable, "-m", "api", "--workers", "2", "--port", "1"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "SAGE_GATEWAY_DATA_DIR": str(tmp_path), "SAGE_GATEWAY_SESSION_BACKEND": "memory"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "SAGE_GATEWAY_SESSION_BACKEND=memory lives in one process" in refused.stderr


@pytest.mark.parametrize("mode", ["sqlite", "postgres"])
def test_workers_serve_shared_sessions(
    upstream: tuple[str, UpstreamBehaviour], tmp_path: Path, request: pytest.FixtureRequest, mode: str
) -> None:
    database_url = request.getfixturevalue("database_url") if mode == "postgres" else None
    env = {**env_for(upstream[0], database_url), "SAGE_GATEWAY_WORKERS": "2"}
    with running_gateway(env, tmp_path) as base_url:
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(lambda n: turn(base_url, f"s{n % 4}", f"hello {n}"), range(32)))
        assert codes == [200] * 32
        assert httpx.get(f"{base_url}/sessions").json()["stats"] == {"total_sessions": 4, "total_messages": 64}
        for session in range(4):
            messages = conversation(base_url, f"s{session}")
            assert [m["role"] for m in messages] == ["user", "assistant"] * 8
            assert sorted(m["content"] for m in messages[0::2]) == sorted(f"hello {n}" for n in range(session, 32, 4))
