"""Starting and stopping the servers the overhead benchmark measures: the fake upstream, the gateway, LiteLLM.

Each runs as its own process on loopback, in its own process group, so that stopping it also stops whatever it
started (uvicorn's worker processes) and nothing is left behind when a run fails half way.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LITELLM_BIN = ROOT / ".venv-litellm" / "bin" / "litellm"
LITELLM_MISSING = (
    "LiteLLM's proxy is not installed at {path}: run `make litellm` (it installs litellm[proxy] into its own "
    "virtual environment, .venv-litellm, leaving .venv alone) or pass --litellm-bin PATH"
)
LITELLM_ENV = {
    # No master key: like the gateway here, it serves loopback without one (it refuses to start otherwise).
    "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true",
    # The model cost map ships inside the package: without this it is fetched from the network at start.
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_TELEMETRY_DISABLED": "true",
    # ERROR also sets uvicorn's log level, which turns its per-request access log off (the gateway logs none).
    "LITELLM_LOG": "ERROR",
}


def start(
    args: list[str],
    env: dict[str, str],
    *,
    cpus: set[int] | None = None,
    log: Path | None = None,
    cwd: Path = ROOT,
) -> subprocess.Popen[bytes]:
    """Start a server process in `cwd` (pinned to `cpus` if given), its stdout discarded and its stderr to `log`
    (else inherited), in a new process group."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    stderr = log.open("ab") if log else None
    try:
        return subprocess.Popen(
            args,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=pin,
            start_new_session=True,
        )
    finally:
        if stderr:
            stderr.close()


def wait_healthy(
    proc: subprocess.Popen[bytes], health_url: str, *, timeout: float = 60, log: Path | None = None
) -> None:
    """Wait until `health_url` answers 200; if the process exits or the time runs out, fail with its last log
    lines (a server that cannot start says why there)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = ""
            if log and log.exists():
                tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            state = f"exited with {proc.returncode}" if proc.poll() is not None else f"not healthy after {timeout} s"
            raise RuntimeError(f"{proc.args!r} {state}{tail}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by `start`: SIGTERM, then SIGKILL to its whole group if it lingers; leftover
    members of its group (a worker that outlived its parent) are ended too."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def process(
    args: list[str],
    env: dict[str, str],
    health_url: str,
    cpus: set[int] | None = None,
    *,
    timeout: float = 60,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends, waiting until `health_url` answers (pinned to `cpus` if given).
    Other benchmarks (`bench.scale`, `bench.soak`) start their servers with it too."""
    proc = start(args, env, cpus=cpus, log=log)
    try:
        wait_healthy(proc, health_url, timeout=timeout, log=log)
        yield proc
    finally:
        stop(proc)


def split_cpus() -> tuple[set[int] | None, set[int] | None]:
    """The servers under test on their own CPU, the load generator and the fake upstream on the others: the
    scheduler moving three ping-ponging processes between two cores otherwise shifts a run's p50 by up to 2 ms.
    (The gateway and LiteLLM share that CPU; they are measured one at a time.)"""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return set(cpus[:-1]), {cpus[-1]}


@contextmanager
def running_on(cpus: set[int] | None) -> Iterator[None]:
    """Pin this process (the load generator) to `cpus` for the block, then give back every CPU it had: the next
    run splits the CPUs again from all of them. (Keeping the pin made every later run put the gateway, the
    upstream and the load on one CPU.)"""
    original = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, original)


def wait_for_index(gateway_url: str, timeout: float = 300) -> None:
    """Let the first start's background indexing of the default corpus finish: it competes for the CPU (and the
    RAG path needs the index), so measuring during it measures the build."""
    deadline = time.monotonic() + timeout
    while httpx.get(f"{gateway_url}/admin/index/status", timeout=10).json()["status"] == "building":
        if time.monotonic() > deadline:
            raise RuntimeError("the default index did not finish building")
        time.sleep(0.2)


def build_index(env: dict[str, str], data_dir: Path, log: Path, *, checkout: Path = ROOT) -> None:
    """Build the default corpus's index into `data_dir` before the gateway starts (`sage-llm-gateway ingest`).

    Needed with several workers: each worker of a fresh data dir would otherwise start its own build of the
    same index at once, and `wait_for_index` asks only whichever worker takes its connection.
    """
    from config.settings import PROJECT_DOCS

    command = [sys.executable, "-m", "api", "ingest", str(PROJECT_DOCS), "--data-dir", str(data_dir)]
    with log.open("ab") as stderr:
        done = subprocess.run(
            command, cwd=checkout, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=stderr
        )
    if done.returncode != 0:
        raise RuntimeError(f"building the index failed: {log.read_text(errors='replace')[-2000:]}")


def litellm_config(upstream_base_url: str) -> str:
    """LiteLLM's proxy configuration: the alias `sage-default` on the fake upstream, as an OpenAI-compatible
    model. YAML is a superset of JSON, so it is written as JSON (no YAML library needed).

    `disable_spend_logs`: without a database LiteLLM records no spend anyway; the setting also stops the
    background task that watches the spend-log queue (LiteLLM's own docs list it as a performance setting), so
    LiteLLM is measured as tuned, not as shipped.
    """
    config = {
        "model_list": [
            {
                "model_name": "sage-default",
                "litellm_params": {
                    "model": "openai/fake-upstream",
                    "api_base": upstream_base_url,
                    "api_key": "not-needed",
                },
            }
        ],
        "litellm_settings": {"telemetry": False, "set_verbose": False},
        "general_settings": {"disable_spend_logs": True},
    }
    return json.dumps(config, indent=2) + "\n"


def litellm_command(binary: Path, config: Path, port: int) -> list[str]:
    return [str(binary), "--config", str(config), "--port", str(port), "--num_workers", "1"]


def interpreter_of(script: Path) -> Path | None:
    """The Python a console script runs on (its `#!` line), so that its packages' versions can be read."""
    try:
        first = script.read_bytes().split(b"\n", 1)[0]
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    return Path(first[2:].decode().strip().split()[0])


def package_version(script: Path, package: str) -> str:
    """The installed version of `package` in the environment of the console script `script`."""
    python = interpreter_of(script)
    if python is None:
        return "unknown"
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or "unknown"


@dataclass(frozen=True)
class Database:
    """A PostgreSQL database made for one run, so that runs never share (or collide on) sessions."""

    admin_url: str
    name: str

    @property
    def url(self) -> str:
        return self.admin_url.rsplit("/", 1)[0] + f"/{self.name}"


@contextmanager
def fresh_database(admin_url: str) -> Iterator[Database]:
    """Create a database named for this run on the server of `admin_url`, and drop it when the block ends."""
    import psycopg
    from psycopg import sql

    database = Database(admin_url, f"sage_bench_{uuid.uuid4().hex[:10]}")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
    try:
        yield database
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name)))
