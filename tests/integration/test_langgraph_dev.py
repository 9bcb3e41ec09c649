"""`langgraph dev` serves the turn graph from `langgraph.json`, offline, and the LangGraph SDK drives it."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from langgraph_sdk import get_client

from bench.fake_upstream import DEFAULT_ANSWER, free_port, running_fake_upstream
from tests.integration.servers import PROJECT_ROOT

OFFLINE = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "DO_NOT_TRACK": "1",
}


@contextmanager
def langgraph_dev(env: dict[str, str], log: Path) -> Iterator[str]:
    """`langgraph dev --no-browser` on a free loopback port, until the block ends; yields its URL."""
    port = free_port()
    langgraph = Path(sys.executable).with_name("langgraph")
    saved_state = PROJECT_ROOT / ".langgraph_api"  # the in-memory runtime pickles its state into the cwd
    had_state = saved_state.exists()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(langgraph), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, **OFFLINE, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "langgraph dev did not start"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if not had_state:
            shutil.rmtree(saved_state, ignore_errors=True)


async def test_langgraph_dev_runs_the_graph_and_returns_its_state(tmp_path: Path) -> None:
    with running_fake_upstream() as (upstream_url, upstream):
        env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data")}
        with langgraph_dev(env, tmp_path / "langgraph-dev.log") as url:
            client = get_client(url=url)
            assistants = await client.assistants.search(graph_id="gateway")
            assert [a["graph_id"] for a in assistants] == ["gateway"]
            thread = await client.threads.create()
            question = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
            await client.runs.wait(thread["thread_id"], "gateway", input=question, context={"session_id": "studio"})
            state = await client.threads.get_state(thread["thread_id"])
            follow_up = {"messages": [{"role": "user", "content": "And of Italy?"}]}
            await client.runs.wait(thread["thread_id"], "gateway", input=follow_up, context={"session_id": "studio"})
    values = state["values"]
    assert [m["type"] for m in values["messages"]] == ["human", "ai"]
    assert values["messages"][-1]["content"] == DEFAULT_ANSWER
    assert values["route_trace"][0] == "load_memory" and values["route_trace"][-1] == "store_memory"
    assert "generate_answer" in values["route_trace"]
    assert upstream.last_request is not None  # the graph really called the configured backend
    assert upstream.chat_calls == 2
    # The factory runs on every graph access; only the first opens the embedding model and index.
    log = (tmp_path / "langgraph-dev.log").read_text()
    assert log.count("Slow graph load") <= 1, log[-3000:]
