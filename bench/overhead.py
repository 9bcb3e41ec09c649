"""Gateway overhead: the same requests sent straight to a fake upstream and through the gateway.

Both servers run as their own processes on loopback; the load generator is this process (httpx, asyncio). For
non-stream requests it reports end-to-end latency; for streams, time to first content token and to `[DONE]`.
Each row is measured in the same run as its baseline (direct to the upstream), and the table prints the ratio and
the added milliseconds at p50.

    python -m bench.overhead [--requests 200] [--concurrency 1 32] [--prompt hello] [--history 40] [--pin] [--repeat 5]

Run-to-run variation on a small shared VM is large (about 2 ms at c=1): `--repeat` starts fresh processes each
time and prints the median and range of the added p50 across runs.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.fake_upstream import free_port
from bench.stats import percentile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PROMPT = "What is the capital of France?"
"""A question: the gateway routes it to retrieval over its docs index, then the model (the full RAG path)."""


@contextmanager
def process(
    args: list[str], env: dict[str, str], health_url: str, cpus: set[int] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends, waiting until `health_url` answers (pinned to `cpus` if given)."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, preexec_fn=pin)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(health_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not start")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass
class Sample:
    total_ms: float
    first_token_ms: float | None


def split_cpus() -> tuple[set[int] | None, set[int] | None]:
    """The gateway on its own CPU, the load generator and the fake upstream on the others: the scheduler moving
    three ping-ponging processes between two cores otherwise shifts a run's p50 by up to 2 ms."""
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


def conversation(prompt: str, history: int) -> list[dict[str, str]]:
    """What a stateless OpenAI client sends: `history` earlier messages (alternating user and assistant, about
    40 words each), then the prompt."""
    earlier = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"Message {i} of an earlier exchange. " * 8}
        for i in range(history - history % 2)
    ]
    return [*earlier, {"role": "user", "content": prompt}]


async def one_request(
    client: httpx.AsyncClient, url: str, model: str, stream: bool, messages: list[dict[str, str]]
) -> Sample:
    body = {"model": model, "messages": messages, "stream": stream}
    start = time.perf_counter()
    if not stream:
        response = await client.post(url, json=body)
        response.raise_for_status()
        return Sample((time.perf_counter() - start) * 1000, None)
    first: float | None = None
    async with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if first is None and line.startswith("data: {") and '"content":"' in line:
                payload = json.loads(line[6:])
                if payload["choices"] and payload["choices"][0]["delta"].get("content"):
                    first = (time.perf_counter() - start) * 1000
    return Sample((time.perf_counter() - start) * 1000, first)


async def load(
    url: str, model: str, *, stream: bool, requests: int, concurrency: int, messages: list[dict[str, str]]
) -> list[Sample]:
    """`requests` requests from `concurrency` workers; a short warm-up first."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for _ in range(min(10, requests)):
            await one_request(client, url, model, stream, messages)
        samples: list[Sample] = []
        remaining = iter(range(requests))

        async def worker() -> None:
            for _ in remaining:
                samples.append(await one_request(client, url, model, stream, messages))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return samples


@dataclass
class Row:
    """One line of the table: a mode, a concurrency and a metric, direct against through the gateway."""

    mode: str
    concurrency: int
    metric: str
    direct: list[float]
    gateway: list[float]

    @property
    def added_p50(self) -> float:
        return statistics.median(self.gateway) - statistics.median(self.direct)

    def line(self) -> str:
        d50, g50 = statistics.median(self.direct), statistics.median(self.gateway)
        d99, g99 = percentile(self.direct, 0.99), percentile(self.gateway, 0.99)
        return (
            f"{self.mode:<10}{self.concurrency:>5}{self.metric:>12}"
            f"{d50:>10.2f}ms{d99:>7.2f}ms{g50:>11.2f}ms{g99:>7.2f}ms{g50 / d50:>10.2f}x{g50 - d50:>9.2f}ms"
        )


HEADER = (
    f"{'mode':<10}{'conc':>5}{'metric':>12}{'direct p50':>12}{'p99':>9}{'gateway p50':>13}{'p99':>9}"
    f"{'ratio p50':>11}{'added p50':>11}"
)


def measure(args: argparse.Namespace, requests: int) -> list[Row]:
    """Start a fresh fake upstream and gateway, and measure every cell against its direct baseline."""
    upstream_port, gateway_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{upstream_port}/v1"
    load_cpus, gateway_cpus = split_cpus() if args.pin else (None, None)
    rows: list[Row] = []
    with running_on(load_cpus), tempfile.TemporaryDirectory() as data_dir:
        gateway_env = {
            "SAGE_CHAT_BASE_URL": upstream,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_GATEWAY_DATA_DIR": data_dir,
        }
        with (
            process(
                [sys.executable, "-m", "bench.fake_upstream", "--port", str(upstream_port)],
                {},
                f"{upstream}/models",
                cpus=load_cpus,
            ),
            process(
                [sys.executable, "-m", "api", "--port", str(gateway_port), "--log-level", "warning"],
                gateway_env,
                f"http://127.0.0.1:{gateway_port}/health",
                cpus=gateway_cpus,
            ),
        ):
            wait_for_index(f"http://127.0.0.1:{gateway_port}")
            targets = {
                "direct": (f"{upstream}/chat/completions", "fake-upstream"),
                "gateway": (f"http://127.0.0.1:{gateway_port}/v1/chat/completions", "sage-default"),
            }
            for stream in (False, True):
                for concurrency in args.concurrency:
                    results = {
                        name: asyncio.run(
                            load(
                                url,
                                model,
                                stream=stream,
                                requests=requests,
                                concurrency=concurrency,
                                messages=conversation(args.prompt, args.history),
                            )
                        )
                        for name, (url, model) in targets.items()
                    }
                    metrics = [("latency", lambda s: s.total_ms)]
                    if stream:
                        metrics.insert(0, ("ttft", lambda s: s.first_token_ms or s.total_ms))
                    for metric, pick in metrics:
                        rows.append(
                            Row(
                                "stream" if stream else "non-stream",
                                concurrency,
                                metric,
                                [pick(s) for s in results["direct"]],
                                [pick(s) for s in results["gateway"]],
                            )
                        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per cell (bounded)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--pin", action="store_true", help="pin the gateway and the load to separate CPUs")
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes this many times (at most 10)")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help='e.g. "hello" for the path without retrieval')
    parser.add_argument("--history", type=int, default=0, help="earlier messages sent with each request (even)")
    args = parser.parse_args()
    requests = min(args.requests, 2000)
    repeats = max(1, min(args.repeat, 10))
    print(
        f"# {requests} requests per cell, prompt {args.prompt!r} after {args.history - args.history % 2} earlier"
        " messages, fake upstream without delay, SQLite sessions,"
        f" {'gateway on its own CPU' if args.pin else 'no CPU pinning'}, {repeats} run(s)"
    )
    runs = []
    for run in range(repeats):
        rows = measure(args, requests)
        runs.append(rows)
        print(f"## run {run + 1}" if repeats > 1 else "")
        print(HEADER)
        for row in rows:
            print(row.line())
    if repeats > 1:
        print("## added p50 across runs: median (min - max)")
        for index, row in enumerate(runs[0]):
            added = [rows[index].added_p50 for rows in runs]
            print(
                f"{row.mode:<10}{row.concurrency:>5}{row.metric:>12}  {statistics.median(added):6.2f} ms"
                f"  ({min(added):.2f} - {max(added):.2f})  runs: {', '.join(f'{a:.2f}' for a in added)}"
            )


if __name__ == "__main__":
    main()
