"""What the gateway adds to a model call, beside the upstream alone and LiteLLM (`python -m bench.overhead`).

One fake upstream process serves every target, so all of them pay for the same upstream: `direct` (the fake
itself), `gateway` (this project, `python -m api`) and, with `--compare-litellm`, `litellm` (LiteLLM's proxy,
from its own virtual environment: `make litellm`). See the package docstring for what is measured and why.
"""

import argparse
import asyncio
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from bench.fake_upstream import free_port
from bench.overhead.cpu import CLOCK_TICKS
from bench.overhead.measure import SCENARIOS, STREAM_PROMPT, Target, open_loops, sequential, settle
from bench.overhead.report import (
    RagFloor,
    acceptance,
    open_table,
    rag_floor_lines,
    sequential_table,
    stream_table,
)
from bench.overhead.servers import (
    DEFAULT_LITELLM_BIN,
    LITELLM_ENV,
    LITELLM_MISSING,
    ROOT,
    build_index,
    fresh_database,
    litellm_command,
    litellm_config,
    package_version,
    process,
    running_on,
    split_cpus,
    start,
    stop,
    wait_for_index,
    wait_healthy,
)

MAX_REQUESTS = 2000
MAX_OPEN_SECONDS = 30.0
MAX_RATE = 2000.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--compare-litellm", action="store_true", help="also measure LiteLLM's proxy")
    parser.add_argument(
        "--litellm-bin", type=Path, default=DEFAULT_LITELLM_BIN, help="LiteLLM's `litellm` (default %(default)s)"
    )
    parser.add_argument(
        "--requests", type=int, default=300, help=f"per target and scenario, one at a time (at most {MAX_REQUESTS})"
    )
    parser.add_argument("--round", type=int, default=50, help="requests per target before the next target's turn")
    parser.add_argument("--warm-up", type=int, default=20, help="unmeasured requests per target and scenario")
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--stream-words", type=int, default=500, help="length of the streamed answer")
    parser.add_argument("--no-open-loop", action="store_true", help="only the one-at-a-time rows")
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 300, 500], help="open-loop requests/s")
    parser.add_argument(
        "--open-seconds", type=float, default=5.0, help=f"each open-loop run (at most {MAX_OPEN_SECONDS:g})"
    )
    parser.add_argument("--open-timeout", type=float, default=10.0, help="an open-loop request failing after (s)")
    parser.add_argument(
        "--open-scenarios", nargs="+", choices=list(SCENARIOS), default=["casual", "rag"], help="open-loop scenarios"
    )
    parser.add_argument("--gateway-workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument("--gateway-sessions", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL to create each run's own database on (with --gateway-sessions postgres)",
    )
    parser.add_argument("--pin", action="store_true", help="the servers under test on their own CPU")
    parser.add_argument("--history", type=int, default=0, help="earlier messages sent with each request (even)")
    parser.add_argument(
        "--baseline-cpu-per-token",
        type=float,
        default=None,
        metavar="US",
        help="the gateway's streaming CPU per token before (microseconds), for the acceptance ratio",
    )
    parser.add_argument(
        "--baseline-checkout",
        type=Path,
        default=None,
        metavar="DIR",
        help="also measure the gateway of another checkout (say a `git worktree` of the code before a change) as "
        "`baseline`, in this run and on this interpreter; the streaming ratio is then taken against it",
    )
    parser.add_argument("--rag-repetitions", type=int, default=200, help="embed-and-search repetitions (floor)")
    args = parser.parse_args(argv)
    if not 1 <= args.gateway_workers <= 8:
        parser.error("--gateway-workers must be 1 to 8")
    if args.baseline_checkout is not None and not (args.baseline_checkout / "api" / "__main__.py").is_file():
        parser.error(f"--baseline-checkout {args.baseline_checkout}: no api/__main__.py there")
    if args.compare_litellm and not os.access(args.litellm_bin, os.X_OK):
        parser.error(LITELLM_MISSING.format(path=args.litellm_bin))
    args.requests = max(1, min(args.requests, MAX_REQUESTS))
    args.round = max(1, min(args.round, args.requests))
    args.warm_up = max(0, min(args.warm_up, 200))
    args.stream_words = max(1, min(args.stream_words, 5000))
    args.rates = [max(1.0, min(rate, MAX_RATE)) for rate in args.rates]
    args.open_seconds = max(0.1, min(args.open_seconds, MAX_OPEN_SECONDS))
    args.open_timeout = max(0.1, min(args.open_timeout, 60.0))
    args.rag_repetitions = max(1, min(args.rag_repetitions, 5000))
    args.history = max(0, args.history - args.history % 2)
    return args


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def header(args: argparse.Namespace, targets: list[Target]) -> str:
    litellm = f"litellm {package_version(args.litellm_bin, 'litellm')}" if args.compare_litellm else "no litellm"
    try:
        gateway = importlib.metadata.version("sage-llm-gateway")
    except importlib.metadata.PackageNotFoundError:
        gateway = "unknown"
    open_loop = (
        "no open loop"
        if args.no_open_loop
        else f"open loop {' '.join(f'{r:g}' for r in args.rates)}/s for {args.open_seconds:g} s each "
        f"({', '.join(args.open_scenarios)}, timeout {args.open_timeout:g} s)"
    )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"# python {platform.python_version()}, sage-llm-gateway {gateway}, {litellm}; targets "
        f"{', '.join(t.name for t in targets)} behind one fake upstream (no delay); gateway: "
        f"{args.gateway_workers} worker(s), {args.gateway_sessions} sessions; {args.requests} requests per target "
        f"and scenario one at a time in rounds of {args.round} (warm-up {args.warm_up}); scenarios "
        f"{', '.join(args.scenarios)}; stream answer {args.stream_words} words; history {args.history}; "
        f"{'servers under test on their own CPU' if args.pin else 'no CPU pinning'}; {open_loop}; "
        f"{len(os.sched_getaffinity(0))} CPUs, load average {load}"
    )


def rag_floor(env: dict[str, str], data_dir: Path, question: str, repetitions: int, cpus: set[int] | None) -> RagFloor:
    """Run `bench.overhead.rag_baseline` on the gateway's data dir, on the gateway's CPUs."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    command = [sys.executable, "-m", "bench.overhead.rag_baseline", "--data-dir", str(data_dir)]
    command += ["--question", question, "--repetitions", str(repetitions)]
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=600, preexec_fn=pin
    )
    if done.returncode != 0:
        raise RuntimeError(f"the embed-and-search baseline failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return RagFloor(
        cpu_ms=float(figures["cpu_ms"]),
        wall_ms=float(figures["wall_ms"]),
        hits=int(figures["hits"]),
        chunks=int(figures["chunks"]),
        repetitions=int(figures["repetitions"]),
    )


def start_gateway(
    args: argparse.Namespace,
    env: dict[str, str],
    port: int,
    log: Path,
    cpus: set[int] | None,
    checkout: Path = ROOT,
) -> subprocess.Popen[bytes]:
    """`python -m api` of `checkout` on `port` with the run's workers."""
    command = [sys.executable, "-m", "api", "--port", str(port), "--log-level", "warning"]
    command += ["--workers", str(args.gateway_workers)]
    return start(command, env, cpus=cpus, log=log, cwd=checkout)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    load_cpus, server_cpus = split_cpus() if args.pin else (None, None)
    scenarios = [SCENARIOS[name] for name in dict.fromkeys(args.scenarios)]
    open_scenarios = [SCENARIOS[name] for name in dict.fromkeys(args.open_scenarios)]
    with running_on(load_cpus), tempfile.TemporaryDirectory(prefix="sage-overhead-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        data_dir = work / "gateway"
        data_dir.mkdir()
        upstream_port, gateway_port, litellm_port = free_port(), free_port(), free_port()
        upstream = f"http://127.0.0.1:{upstream_port}/v1"
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        litellm_url = f"http://127.0.0.1:{litellm_port}"
        progress("starting the fake upstream")
        upstream_command = [sys.executable, "-m", "bench.fake_upstream", "--port", str(upstream_port)]
        upstream_command += ["--answer-words-for", STREAM_PROMPT, str(args.stream_words)]
        upstream_proc = stack.enter_context(
            process(upstream_command, {}, f"{upstream}/models", cpus=load_cpus, log=work / "upstream.log")
        )
        gateway_env = {
            "SAGE_CHAT_BASE_URL": upstream,
            "SAGE_CHAT_MODEL": "fake-upstream",
            "SAGE_GATEWAY_DATA_DIR": str(data_dir),
        }
        if args.gateway_sessions == "postgres":
            database = stack.enter_context(fresh_database(args.database_url))
            gateway_env["SAGE_GATEWAY_DATABASE_URL"] = database.url
        if args.gateway_workers > 1:
            progress("building the docs index for the gateway's workers")
            build_index(gateway_env, data_dir, work / "ingest.log")
        litellm_proc = None
        if args.compare_litellm:
            progress(f"starting LiteLLM ({args.litellm_bin}; it takes 20-30 s)")
            config = work / "litellm.yaml"
            config.write_text(litellm_config(upstream), encoding="utf-8")
            litellm_proc = start(
                litellm_command(args.litellm_bin, config, litellm_port),
                LITELLM_ENV,
                cpus=server_cpus,
                log=work / "litellm.log",
            )
            stack.callback(stop, litellm_proc)
        progress("starting the gateway")
        gateway_proc = start_gateway(args, gateway_env, gateway_port, work / "gateway.log", server_cpus)
        stack.callback(stop, gateway_proc)
        wait_healthy(gateway_proc, f"{gateway_url}/health", timeout=120, log=work / "gateway.log")
        wait_for_index(gateway_url)
        baseline: Target | None = None
        if args.baseline_checkout is not None:
            progress(f"starting the baseline gateway from {args.baseline_checkout}")
            baseline_dir, baseline_port = work / "baseline", free_port()
            baseline_dir.mkdir()
            baseline_env = {**gateway_env, "SAGE_GATEWAY_DATA_DIR": str(baseline_dir)}
            if "SAGE_GATEWAY_DATABASE_URL" in gateway_env:
                database = stack.enter_context(fresh_database(args.database_url))
                baseline_env["SAGE_GATEWAY_DATABASE_URL"] = database.url
            if args.gateway_workers > 1:
                build_index(baseline_env, baseline_dir, work / "ingest.log", checkout=args.baseline_checkout)
            log = work / "baseline.log"
            baseline_proc = start_gateway(args, baseline_env, baseline_port, log, server_cpus, args.baseline_checkout)
            stack.callback(stop, baseline_proc)
            wait_healthy(baseline_proc, f"http://127.0.0.1:{baseline_port}/health", timeout=120, log=log)
            wait_for_index(f"http://127.0.0.1:{baseline_port}")
            url = f"http://127.0.0.1:{baseline_port}/v1/chat/completions"
            baseline = Target("baseline", url, "sage-default", baseline_proc.pid)
        targets = [
            Target("direct", f"{upstream}/chat/completions", "fake-upstream", upstream_proc.pid),
            Target("gateway", f"{gateway_url}/v1/chat/completions", "sage-default", gateway_proc.pid),
        ]
        if litellm_proc is not None:
            wait_healthy(litellm_proc, f"{litellm_url}/health/liveliness", timeout=240, log=work / "litellm.log")
            targets.append(Target("litellm", f"{litellm_url}/v1/chat/completions", "sage-default", litellm_proc.pid))
        if baseline is not None:
            targets.append(baseline)
        server_pids = [target.pid for target in targets]
        print(header(args, targets), flush=True)
        asyncio.run(settle(server_pids, limit=30))

        cells = asyncio.run(
            sequential(
                targets,
                upstream_proc.pid,
                scenarios,
                requests=args.requests,
                round_size=args.round,
                warm_up=args.warm_up,
                history=args.history,
                progress=progress,
            )
        )
        rounds = -(-args.requests // args.round)
        resolution = rounds / CLOCK_TICKS / args.requests * 1000  # each round's reading is good to one clock tick
        print(
            f"\n## one request at a time: {args.requests} per target, interleaved in rounds of {args.round}; "
            f"cpu/req is good to {resolution:.2f} ms (/proc counts in 1/{CLOCK_TICKS} s)"
        )
        for scenario in scenarios:
            if not scenario.stream:
                print(f"# {scenario.name}: {scenario.prompt!r}, {scenario.about}")
                print("\n".join(sequential_table(scenario.name, cells[scenario.name])))
        if "stream" in cells:
            print(f"# stream: {STREAM_PROMPT!r} answered with {args.stream_words} words, one per chunk (casual path)")
            print("\n".join(stream_table(cells["stream"], cells.get("casual"), args.stream_words)))

        floor = None
        if "rag" in cells:
            progress("measuring embed + search alone")
            asyncio.run(settle(server_pids))
            floor = rag_floor(gateway_env, data_dir, SCENARIOS["rag"].prompt, args.rag_repetitions, server_cpus)
            print("\n## the RAG floor, measured in this run on the gateway's index")
            print(
                "\n".join(rag_floor_lines(floor, cells["rag"].get("gateway"), cells.get("casual", {}).get("gateway")))
            )

        open_cells = []
        if not args.no_open_loop:
            open_cells = asyncio.run(
                open_loops(
                    [target for target in targets if target is not baseline],  # the baseline: one at a time only
                    server_pids,
                    open_scenarios,
                    args.rates,
                    seconds=args.open_seconds,
                    request_timeout=args.open_timeout,
                    history=args.history,
                    progress=progress,
                )
            )
            print(
                f"\n## open loop: requests launched on schedule for {args.open_seconds:g} s, latency from the "
                "scheduled send time (queueing included); sent/s, lag (ms after its due time a request began) and "
                "kept up: whether the load generator held the schedule"
            )
            print("\n".join(open_table(open_cells)))
        progress("stopping the servers")

    print("\n## acceptance")
    checks = acceptance(
        cells,
        open_cells,
        floor,
        words=args.stream_words,
        workers=args.gateway_workers,
        baseline_cpu_per_token_us=args.baseline_cpu_per_token,
    )
    for check in checks:
        print(check.line())


if __name__ == "__main__":
    main()
