"""Soak: many turns over many sessions through one gateway process, printing its resident memory as it goes.

A fake upstream and the gateway run as their own processes on loopback (SQLite sessions, no index); this process
sends `--turns` turns spread round-robin over `--sessions` client-named sessions (every fifth one streamed), at
`--concurrency`, and prints the gateway's RSS every `--every` turns. It ends with the growth over the last half
of the run, which must stay within `--max-growth` (exit status 1 otherwise): memory that levels off, not a leak.

    python -m bench.soak [--turns 10000] [--sessions 1000] [--concurrency 4] [--every 1000] [--max-growth 0.05]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.fake_upstream import free_port
from bench.overhead import process

PROMPTS = ("hello there", "how are you today?", "tell me a short joke", "thanks, that helps", "what can you do?")


def rss_mib(pid: int) -> float:
    """The process's resident set size, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def one_turn(client: httpx.AsyncClient, url: str, number: int, sessions: int) -> None:
    body = {
        "model": "sage-default",
        "session_id": f"soak-{number % sessions}",
        "messages": [{"role": "user", "content": f"{PROMPTS[number % len(PROMPTS)]} ({number})"}],
        "stream": number % 5 == 0,
    }
    if body["stream"]:
        async with client.stream("POST", url, json=body) as response:
            response.raise_for_status()
            async for _ in response.aiter_lines():
                pass
        return
    (await client.post(url, json=body)).raise_for_status()


async def soak(url: str, pid: int, args: argparse.Namespace) -> list[tuple[int, float]]:
    """Send the turns in batches of `--every`; after each batch, note the turn count and the gateway's RSS."""
    samples = [(0, rss_mib(pid))]
    print(f"{'turns':>7} {'RSS MiB':>9} {'turns/s':>8}", flush=True)
    print(f"{0:>7} {samples[0][1]:>9.1f} {'-':>8}", flush=True)
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for start in range(0, args.turns, args.every):
            numbers = iter(range(start, min(start + args.every, args.turns)))
            began = time.perf_counter()

            async def worker(numbers=numbers) -> None:  # type: ignore[no-untyped-def]
                for number in numbers:
                    await one_turn(client, url, number, args.sessions)

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
            done = min(start + args.every, args.turns)
            samples.append((done, rss_mib(pid)))
            rate = (done - start) / (time.perf_counter() - began)
            print(f"{done:>7} {samples[-1][1]:>9.1f} {rate:>8.0f}", flush=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--every", type=int, default=1_000)
    parser.add_argument("--max-growth", type=float, default=0.05)
    args = parser.parse_args()
    upstream_port, gateway_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{upstream_port}/v1"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "SAGE_CHAT_BASE_URL": upstream,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_GATEWAY_DATA_DIR": data_dir,
            "SAGE_GATEWAY_SESSION_BACKEND": "sqlite",
            "SAGE_GATEWAY_AUTO_INDEX": "false",
        }
        upstream_cmd = [sys.executable, "-m", "bench.fake_upstream", "--port", str(upstream_port)]
        gateway_cmd = [sys.executable, "-m", "api", "--port", str(gateway_port), "--log-level", "warning"]
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        with (
            process(upstream_cmd, {}, f"{upstream}/models"),
            process(gateway_cmd, env, f"{gateway_url}/health") as gateway,
        ):
            samples = asyncio.run(soak(f"{gateway_url}/v1/chat/completions", gateway.pid, args))
    half = min(samples, key=lambda sample: abs(sample[0] - args.turns / 2))
    growth = (samples[-1][1] - half[1]) / half[1]
    verdict = "levels off" if growth <= args.max_growth else "still growing"
    print(f"\ngrowth over the last half ({half[0]} -> {samples[-1][0]} turns): {growth:+.1%} ({verdict})")
    raise SystemExit(0 if growth <= args.max_growth else 1)


if __name__ == "__main__":
    main()
