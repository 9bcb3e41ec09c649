"""`langgraph dev` serves the gateway and the LangGraph API on one port, on the gateway's own sessions: a session
made through `/v1/chat/completions` is a thread Studio can read and continue, and the other way round."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from openai import AsyncOpenAI

from bench.fake_upstream import DEFAULT_ANSWER, free_port, running_fake_upstream
from tests.integration.servers import PROJECT_ROOT

pytestmark = pytest.mark.integration

OFFLINE = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "DO_NOT_TRACK": "1",
    "SAGE_GATEWAY_AUTO_INDEX": "false",
}


PRINTED_URL = re.compile(r"API: \S*?(http://127\.0\.0\.1:\d+)")
"""The API line of the banner `langgraph dev` prints once it serves (the URL in colour codes)."""


@contextmanager
def langgraph_dev(env: dict[str, str], workdir: Path, *, port: int | None = None) -> Iterator[tuple[str, int]]:
    """`langgraph dev --no-browser` with the project's `langgraph.json`, run in `workdir` (where the in-memory
    runtime keeps its thread list), until the block ends; yields the URL it prints (as a user reads it) and its
    process id."""
    langgraph = Path(sys.executable).with_name("langgraph")
    log = workdir / "langgraph-dev.log"
    written = log.stat().st_size if log.exists() else 0
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(langgraph), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1"]
            + ["--port", str(port or free_port()), "--config", str(PROJECT_ROOT / "langgraph.json")],
            cwd=workdir,
            env={**os.environ, **OFFLINE, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while not (printed := PRINTED_URL.search(log.read_bytes()[written:].decode(errors="replace"))):
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "langgraph dev printed no URL"
            time.sleep(0.2)
        url = printed.group(1)
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "langgraph dev did not start"
            time.sleep(0.2)
        yield url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def chat(url: str, text: str, session_id: str | None = None, *, api_key: str = "unused") -> tuple[str, str]:
    """One turn with the official `openai` client on the server's `/v1`; returns the session id and answer."""
    client = AsyncOpenAI(base_url=f"{url}/v1", api_key=api_key, max_retries=0)
    headers = {"X-Session-Id": session_id} if session_id else {}
    model = (await client.models.list()).data[0].id
    raw = await client.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": text}], extra_headers=headers
    )
    completion = raw.parse()
    return raw.headers["X-Session-Id"], completion.choices[0].message.content or ""


async def get_json(url: str) -> Any:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()


def message_types(state: dict[str, Any]) -> list[str]:
    return [message["type"] for message in state["values"]["messages"]]


async def one_session_through_both_doors(url: str) -> str:
    """A session made through `/v1/chat/completions`, found and continued through the LangGraph API, and read back
    through `/sessions`; returns its id."""
    session_id, answer = await chat(url, "What is the capital of France?")
    assert answer == DEFAULT_ANSWER
    client = get_client(url=url, api_key=None)
    found = await client.threads.search(metadata={"graph_id": "gateway"})
    assert session_id in [thread["thread_id"] for thread in found]
    state = await client.threads.get_state(session_id)
    assert message_types(state) == ["human", "ai"]
    assert state["values"]["messages"][0]["content"] == "What is the capital of France?"

    follow_up = {"messages": [{"role": "user", "content": "And of Italy?"}]}
    await client.runs.wait(session_id, "gateway", input=follow_up)
    session = await get_json(f"{url}/sessions/{session_id}")
    assert [m["content"] for m in session["messages"]] == [
        "What is the capital of France?",
        DEFAULT_ANSWER,
        "And of Italy?",
        DEFAULT_ANSWER,
    ]
    listed = await get_json(f"{url}/sessions")
    record = next(s for s in listed["sessions"] if s["id"] == session_id)
    assert record["message_count"] == 4  # the Studio turn updated the registry
    assert record["title"] == "What is the capital of France?"
    async with httpx.AsyncClient(timeout=10, follow_redirects=True) as http:
        page = await http.get(f"{url}/ui")
    assert page.status_code == 200 and "<html" in page.text.lower()  # the chat page is served on the same port
    return session_id


async def both_turns_found_again(url: str, session_id: str) -> None:
    client = get_client(url=url, api_key=None)
    found = await client.threads.search(metadata={"graph_id": "gateway"})
    assert session_id in [thread["thread_id"] for thread in found]
    state = await client.threads.get_state(session_id)
    assert message_types(state) == ["human", "ai", "human", "ai"]
    history = await client.threads.get_history(session_id, limit=50)
    assert len(history) >= 4  # every step of both turns was checkpointed
    session = await get_json(f"{url}/sessions/{session_id}")
    assert len(session["messages"]) == 4


async def fork_after_the_first_turn(url: str, session_id: str) -> None:
    """Time travel as Studio does it: a run from the checkpoint that ended the first turn. The branch becomes the
    session's head (its newest checkpoint), which the gateway then continues."""
    client = get_client(url=url, api_key=None)
    history = await client.threads.get_history(session_id, limit=50)
    first_turn_end = next(s for s in history if len(s["values"]["messages"]) == 2 and not s["next"])
    fork = {"messages": [{"role": "user", "content": "And of Spain?"}]}
    await client.runs.wait(
        session_id, "gateway", input=fork, checkpoint_id=first_turn_end["checkpoint"]["checkpoint_id"]
    )
    questions = [m["content"] for m in (await get_json(f"{url}/sessions/{session_id}"))["messages"]][::2]
    assert questions == ["What is the capital of France?", "And of Spain?"]
    await chat(url, "And of Portugal?", session_id)
    state = await client.threads.get_state(session_id)
    asked = [m["content"] for m in state["values"]["messages"] if m["type"] == "human"]
    assert asked == ["What is the capital of France?", "And of Spain?", "And of Portugal?"]


async def test_a_gateway_session_is_a_studio_thread_and_survives_a_restart_on_sqlite(tmp_path: Path) -> None:
    with running_fake_upstream() as (upstream_url, upstream):
        env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data")}
        with langgraph_dev(env, tmp_path) as (url, _):
            session_id = await one_session_through_both_doors(url)
        with langgraph_dev(env, tmp_path) as (url, _):
            await both_turns_found_again(url, session_id)
            await fork_after_the_first_turn(url, session_id)
    assert upstream.chat_calls == 4
    assert (tmp_path / "data" / "checkpoints.sqlite").exists()  # the gateway's saver, not the server's own


async def test_a_gateway_session_is_a_studio_thread_on_postgres(tmp_path: Path, database_url: str) -> None:
    with running_fake_upstream() as (upstream_url, _):
        env = {
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data"),
            "SAGE_GATEWAY_DATABASE_URL": database_url,
        }
        with langgraph_dev(env, tmp_path) as (url, _):
            session_id = await one_session_through_both_doors(url)
        with langgraph_dev(env, tmp_path) as (url, _):
            await both_turns_found_again(url, session_id)
    assert not (tmp_path / "data" / "checkpoints.sqlite").exists()


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` listens on (from /proc: its socket inodes in the LISTEN state)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


async def test_one_embedded_model_serves_the_gateway_and_studio(tmp_path: Path) -> None:
    env = {"SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data")}
    with langgraph_dev(env, tmp_path) as (url, pid):
        session_id, answer = await chat(url, "Hello there!")
        assert answer
        client = get_client(url=url, api_key=None)
        await client.runs.wait(session_id, "gateway", input={"messages": [{"role": "user", "content": "Thanks!"}]})
        state = await client.threads.get_state(session_id)
        ports = listening_ports(pid)
    assert message_types(state) == ["human", "ai", "human", "ai"]
    port = int(url.rsplit(":", 1)[1])
    assert port in ports
    assert len(ports - {port}) == 1, ports  # one llama.cpp server, shared by the gateway's turns and Studio's


def test_a_taken_port_is_reported_and_the_printed_url_is_the_one_served(tmp_path: Path) -> None:
    """`langgraph dev` moves to a free port when the one asked for is taken: it says so, and the URL it prints
    is where the gateway really answers (the README tells users to read it from there)."""
    with socket.socket() as taken, running_fake_upstream() as (upstream_url, _):
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data")}
        with langgraph_dev(env, tmp_path, port=port) as (url, _):
            assert httpx.get(f"{url}/v1/models", timeout=10).status_code == 200
        log = (tmp_path / "langgraph-dev.log").read_text()
    assert f"Port {port} is already in use, using port" in log
    assert not url.endswith(f":{port}")


async def test_with_keys_the_langgraph_api_takes_an_admin_key_and_the_gateway_its_own(tmp_path: Path) -> None:
    """The LangGraph API reads every session, so with keys configured only an admin key opens it; no header
    (Studio's `x-auth-scheme: langsmith` included) skips the check. The gateway's routes keep their own keys."""
    with running_fake_upstream() as (upstream_url, _):
        env = {
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data"),
            "SAGE_GATEWAY_API_KEY": "client-key",
            "SAGE_GATEWAY_ADMIN_KEY": "admin-key",
        }
        with langgraph_dev(env, tmp_path) as (url, _):
            session_id, _ = await chat(url, "What is the capital of France?", api_key="client-key")
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                refused = {
                    "none": (await http.post("/threads/search", json={})).status_code,
                    "studio scheme": (
                        await http.post("/threads/search", json={}, headers={"x-auth-scheme": "langsmith"})
                    ).status_code,
                    "client key": (
                        await http.post("/threads/search", json={}, headers={"Authorization": "Bearer client-key"})
                    ).status_code,
                    "wrong key": (
                        await http.post("/threads/search", json={}, headers={"Authorization": "Bearer nope"})
                    ).status_code,
                }
                unkeyed_session = (await http.get(f"/sessions/{session_id}")).status_code
            admin = get_client(url=url, api_key=None, headers={"Authorization": "Bearer admin-key"})
            found = await admin.threads.search(metadata={"graph_id": "gateway"})
            await admin.runs.wait(session_id, "gateway", input={"messages": [{"role": "user", "content": "Thanks"}]})
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                owned = await http.get(f"/sessions/{session_id}", headers={"Authorization": "Bearer client-key"})
    assert refused == {"none": 401, "studio scheme": 401, "client key": 403, "wrong key": 401}
    assert unkeyed_session == 401
    assert session_id in [thread["thread_id"] for thread in found]
    assert owned.status_code == 200 and len(owned.json()["messages"]) == 4  # still the client key's session
