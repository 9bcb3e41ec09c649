"""Start the gateway as a real process on a loopback port, for tests that need a real server."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.fake_upstream import UpstreamBehaviour, free_port, running_fake_upstream

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def start_gateway(  # type: ignore[no-untyped-def]
    env: dict[str, str],
    data_dir: Path,
    *,
    port: int | None = None,
    start_timeout: float = 120,
    log_level: str = "warning",
    log_file: Path | None = None,
):
    """Start `python -m api` and wait until it is healthy; returns `(process, base_url)`.

    With `log_file`, the process's stdout and stderr (its whole log) go there.
    """
    port = port or free_port()
    process_env = {**os.environ, "SAGE_GATEWAY_AUTO_INDEX": "false", **env, "SAGE_GATEWAY_DATA_DIR": str(data_dir)}
    output = log_file.open("ab") if log_file else None
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "--port", str(port), "--log-level", log_level],
        cwd=PROJECT_ROOT,
        env=process_env,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    if output:
        output.close()  # the child holds its own copy
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("gateway did not become healthy")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it does not exit."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_gateway(
    env: dict[str, str], data_dir: Path, *, start_timeout: float = 120, **options: object
) -> Iterator[str]:
    """Run `python -m api` with `env` on a free port until the block ends; yields its base URL."""
    process, base_url = start_gateway(env, data_dir, start_timeout=start_timeout, **options)  # type: ignore[arg-type]
    try:
        yield base_url
    finally:
        stop(process)


@contextmanager
def gateway_with_two_keys(data_dir: Path) -> Iterator[tuple[str, Any]]:
    """The gateway on a fake upstream, with the client keys `key-a` and `key-b`; yields its URL and the
    upstream's behaviour (which records what the model was sent)."""
    with running_fake_upstream(UpstreamBehaviour(delay_per_token=0.002)) as (upstream_url, behaviour):
        env = {
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_CHAT_MAX_RETRIES": "0",
            "SAGE_GATEWAY_API_KEY": "key-a,key-b",
        }
        with running_gateway(env, data_dir) as base_url:
            yield base_url, behaviour
