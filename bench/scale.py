"""Throughput and tail latency of whole turns with 64 concurrent clients: 1 and 2 workers, SQLite and PostgreSQL.

The upstream is the fake OpenAI-compatible server (no delay), so the figures are the gateway's own cost. Each
client owns a session and sends turns in it; the baseline row is the fake upstream called directly by the same
load generator in the same run.

    python -m bench.scale [--turns 640] [--clients 64] [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid

import httpx
import psycopg

from bench.fake_upstream import free_port
from bench.overhead import process
from bench.stats import percentile


async def load(url: str, model: str, *, turns: int, clients: int, sessions: bool) -> tuple[float, float, float]:
    """(turns per second, p50 ms, p99 ms) for `turns` requests from `clients` concurrent clients."""
    latencies: list[float] = []
    remaining = iter(range(turns))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def worker(number: int) -> None:
            for n in remaining:
                body = {"model": model, "messages": [{"role": "user", "content": f"turn {n}"}]}
                if sessions:
                    body["session_id"] = f"bench-{number}"
                start = time.perf_counter()
                response = await client.post(url, json=body)
                response.raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, statistics.median(latencies), percentile(latencies, 0.99)


def fresh_database(admin_url: str) -> str:
    name = f"sage_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=640)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    turns, clients = min(args.turns, 5000), min(args.clients, 256)
    upstream_port = free_port()
    upstream = f"http://127.0.0.1:{upstream_port}/v1"
    print(f"# {turns} turns from {clients} concurrent clients (one session each), fake upstream without delay")
    print(f"{'target':<24}{'turns/s':>10}{'p50':>11}{'p99':>11}{'vs direct':>11}")
    with process([sys.executable, "-m", "bench.fake_upstream", "--port", str(upstream_port)], {}, f"{upstream}/models"):
        direct = asyncio.run(load(f"{upstream}/chat/completions", "fake", turns=turns, clients=clients, sessions=False))
        print(f"{'direct to upstream':<24}{direct[0]:>10.1f}{direct[1]:>9.1f}ms{direct[2]:>9.1f}ms{1:>10.2f}x")
        for mode in ("sqlite", "postgres"):
            for workers in (1, 2):
                if mode == "sqlite" and workers > 1:
                    print(f"{f'{mode}, {workers} workers':<24}{'refused: SQLite serves one process':>43}")
                    continue
                with tempfile.TemporaryDirectory() as data_dir:
                    port = free_port()
                    env = {
                        "SAGE_CHAT_BASE_URL": upstream,
                        "SAGE_CHAT_MODEL": "fake",
                        "SAGE_GATEWAY_DATA_DIR": data_dir,
                        "SAGE_GATEWAY_AUTO_INDEX": "false",
                        "SAGE_GATEWAY_WORKERS": str(workers),
                        "SAGE_GATEWAY_DATABASE_POOL_SIZE": "40",
                    }
                    if mode == "postgres":
                        env["SAGE_GATEWAY_DATABASE_URL"] = fresh_database(args.database_url)
                    command = [sys.executable, "-m", "api", "--port", str(port), "--log-level", "warning"]
                    with process(command, env, f"http://127.0.0.1:{port}/health"):
                        url = f"http://127.0.0.1:{port}/v1/chat/completions"
                        asyncio.run(load(url, "sage-default", turns=clients, clients=clients, sessions=True))  # warm
                        rate, p50, p99 = asyncio.run(
                            load(url, "sage-default", turns=turns, clients=clients, sessions=True)
                        )
                    label = f"{mode}, {workers} worker(s)"
                    print(f"{label:<24}{rate:>10.1f}{p50:>9.1f}ms{p99:>9.1f}ms{rate / direct[0]:>10.2f}x")


if __name__ == "__main__":
    main()
