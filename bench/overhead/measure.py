"""The measurements: sequential requests interleaved across targets, and open-loop load at fixed rates.

Sequential (one request at a time) rows run in rounds: each target in turn gets `round_size` requests, the order
rotating every round, so that whatever drifts during a run (another process on the machine, the gateway's growing
session tables, CPU frequency) falls on every target alike instead of on whichever ran last. CPU is read from
/proc around each target's rounds only, so each server is charged for its own requests.
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.overhead.client import Endpoint, HttpClient, Reply
from bench.overhead.cpu import tree_cpu_seconds
from bench.overhead.openloop import OpenLoopResult, open_loop

ROUND_WARM_UP = 2
"""Unmeasured requests at the start of each round: they reopen a connection the server closed while the other
targets ran (uvicorn drops idle ones after 5 s) and warm the caches the other servers evicted."""
REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Scenario:
    name: str
    prompt: str
    stream: bool
    about: str


STREAM_PROMPT = "good morning"
"""The streaming scenario's message: small talk, so the gateway takes its casual path (no retrieval), and the fake
upstream is started to answer exactly this text with `--stream-words` words."""

SCENARIOS = {
    "casual": Scenario("casual", "hello", False, "small talk, no retrieval"),
    "rag": Scenario("rag", "How do I rename a session?", False, "the gateway retrieves from its docs index first"),
    "stream": Scenario("stream", STREAM_PROMPT, True, "a streamed answer of --stream-words words"),
}


@dataclass(frozen=True)
class Target:
    """A server the load is sent to, and the process whose CPU is charged to it."""

    name: str
    url: str
    model: str
    pid: int


def conversation(prompt: str, history: int) -> list[dict[str, str]]:
    """What a stateless OpenAI client sends: `history` earlier messages (alternating user and assistant, about
    40 words each), then the prompt."""
    earlier = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"Message {i} of an earlier exchange. " * 8}
        for i in range(history - history % 2)
    ]
    return [*earlier, {"role": "user", "content": prompt}]


def request_body(target: Target, scenario: Scenario, history: int) -> bytes:
    body = {"model": target.model, "messages": conversation(scenario.prompt, history), "stream": scenario.stream}
    return json.dumps(body).encode()


def failure(reply: Reply, scenario: Scenario) -> str | None:
    """Why an answer does not count as a success, or None."""
    if reply.status != 200:
        return f"status {reply.status}"
    if scenario.stream and reply.content_deltas == 0:
        return "no content"
    return None


@dataclass
class Cell:
    """One target on one scenario, one request at a time, over all its rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    ttft_ms: list[float] = field(default_factory=list)
    content_deltas: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    cpu_s: float = 0.0
    """CPU of the target's server process tree during its measured requests."""
    upstream_cpu_s: float = 0.0
    """CPU of the fake upstream during the same requests."""
    requests: int = 0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_s / self.requests * 1000 if self.requests else float("nan")

    @property
    def upstream_cpu_ms_per_request(self) -> float:
        return self.upstream_cpu_s / self.requests * 1000 if self.requests else float("nan")


Progress = Callable[[str], None]


async def _one(client: HttpClient, request: bytes, scenario: Scenario, cell: Cell | None) -> None:
    start = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            reply = await client.post(request, stream=scenario.stream)
    except Exception as exc:  # counted, and the run goes on: one reset connection must not lose the run
        if cell is not None:
            cell.errors["timeout" if isinstance(exc, TimeoutError) else type(exc).__name__] += 1
        return
    end = time.perf_counter()
    if cell is None:
        return
    error = failure(reply, scenario)
    if error is not None:
        cell.errors[error] += 1
        return
    cell.latencies_ms.append((end - start) * 1000)
    if scenario.stream:
        cell.ttft_ms.append(((reply.first_content_at or end) - start) * 1000)
        cell.content_deltas.append(reply.content_deltas)


async def _check_answers(client: HttpClient, request: bytes, scenario: Scenario, target: Target) -> None:
    """One request before anything is measured: a target that cannot answer at all is a broken set-up, said at
    once with what it answered, not a table of errors."""
    async with asyncio.timeout(REQUEST_TIMEOUT):
        reply = await client.post(request, stream=scenario.stream)
    error = failure(reply, scenario)
    if error is not None:
        raise RuntimeError(f"{target.name} did not answer the {scenario.name} request ({error}): {reply.body[:300]!r}")


async def sequential(
    targets: list[Target],
    upstream_pid: int,
    scenarios: list[Scenario],
    *,
    requests: int,
    round_size: int,
    warm_up: int,
    history: int,
    progress: Progress,
) -> dict[str, dict[str, Cell]]:
    """`requests` requests per target and scenario, one at a time, in interleaved rounds; cells by scenario, then
    target."""
    clients = {target.name: HttpClient(Endpoint.from_url(target.url)) for target in targets}
    cells: dict[str, dict[str, Cell]] = {}
    try:
        for scenario in scenarios:
            bodies = {t.name: clients[t.name].request_bytes(request_body(t, scenario, history)) for t in targets}
            for target in targets:
                await _check_answers(clients[target.name], bodies[target.name], scenario, target)
                for _ in range(warm_up):
                    await _one(clients[target.name], bodies[target.name], scenario, None)
            row = cells[scenario.name] = {target.name: Cell() for target in targets}
            rounds = -(-requests // round_size)
            for number in range(rounds):
                progress(f"sequential {scenario.name}: round {number + 1}/{rounds}")
                count = min(round_size, requests - number * round_size)
                shift = number % len(targets)
                for target in targets[shift:] + targets[:shift]:
                    client, body, cell = clients[target.name], bodies[target.name], row[target.name]
                    for _ in range(ROUND_WARM_UP):
                        await _one(client, body, scenario, None)
                    cpu, upstream = tree_cpu_seconds(target.pid), tree_cpu_seconds(upstream_pid)
                    for _ in range(count):
                        await _one(client, body, scenario, cell)
                    cell.cpu_s += tree_cpu_seconds(target.pid) - cpu
                    cell.upstream_cpu_s += tree_cpu_seconds(upstream_pid) - upstream
                    cell.requests += count
    finally:
        for client in clients.values():
            await client.aclose()
    return cells


async def settle(pids: list[int], *, interval: float = 0.25, quiet_share: float = 0.05, limit: float = 15) -> bool:
    """Wait until the servers are idle (together under `quiet_share` of a CPU over `interval`), at most `limit`
    seconds: a server still working through the backlog of an overloaded open-loop row would otherwise slow the
    next row, whichever target that row measures. False if they never went quiet."""
    deadline = time.monotonic() + limit
    last = sum(tree_cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        await asyncio.sleep(interval)
        now = sum(tree_cpu_seconds(pid) for pid in pids)
        if now - last <= quiet_share * interval:
            return True
        last = now
    return False


@dataclass
class OpenCell:
    """One open-loop run: a scenario at a rate against a target."""

    scenario: str
    target: str
    result: OpenLoopResult
    cpu_s: float
    settled: bool

    @property
    def cpu_ms_per_request(self) -> float:
        done = len(self.result.latencies)
        return self.cpu_s / done * 1000 if done else float("nan")


OPEN_WARM_UP = 5


async def open_loops(
    targets: list[Target],
    server_pids: list[int],
    scenarios: list[Scenario],
    rates: list[float],
    *,
    seconds: float,
    request_timeout: float,
    history: int,
    progress: Progress,
) -> list[OpenCell]:
    """Each scenario at each rate against each target, one run after another, the servers idle before each."""
    cells: list[OpenCell] = []
    for scenario in scenarios:
        for rate in rates:
            for target in targets:
                progress(f"open loop {scenario.name} at {rate:g}/s: {target.name}")
                settled = await settle(server_pids)
                client = HttpClient(Endpoint.from_url(target.url))
                request = client.request_bytes(request_body(target, scenario, history))

                async def send(
                    client: HttpClient = client, request: bytes = request, scenario: Scenario = scenario
                ) -> str | None:
                    return failure(await client.post(request, stream=scenario.stream), scenario)

                try:
                    for _ in range(OPEN_WARM_UP):
                        await send()
                    cpu = tree_cpu_seconds(target.pid)
                    result = await open_loop(send, rate, seconds, request_timeout=request_timeout)
                    cells.append(
                        OpenCell(scenario.name, target.name, result, tree_cpu_seconds(target.pid) - cpu, settled)
                    )
                finally:
                    await client.aclose()
    return cells
