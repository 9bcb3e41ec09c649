"""The overhead benchmark's own arithmetic (bench/overhead): the /proc CPU reader, the open-loop schedule on a fake
clock, the raw HTTP client against the fake upstream, the percentiles and the acceptance verdicts. No timing
assertions: a slow machine must not fail these."""

import asyncio
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.fake_upstream import DEFAULT_ANSWER, UpstreamBehaviour, running_fake_upstream, words_answer
from bench.overhead.client import Endpoint, HttpClient, SseContent
from bench.overhead.cpu import CLOCK_TICKS, cpu_ticks_of_stat, process_tree, tree_cpu_seconds
from bench.overhead.measure import Cell, OpenCell
from bench.overhead.openloop import OpenLoopResult, due_offsets, open_loop
from bench.overhead.report import RagFloor, acceptance, marginal_cpu_per_token_us, rag_bound_ms
from bench.stats import p50_p99, percentile, ratio


def test_stat_fields_are_counted_from_the_last_parenthesis() -> None:
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    stat = "42 (a (weird) name) S 1 42 42 0 -1 4194304 10 0 0 0 7 3 20 5 20 0 1 0\n"
    assert cpu_ticks_of_stat(stat) == 7 + 3 + 20 + 5


def test_cpu_of_this_process_matches_what_the_kernel_reports_to_it() -> None:
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass  # burn a few ticks, so that a reader returning 0 fails
    times = os.times()
    own = tree_cpu_seconds(os.getpid(), proc=Path("/proc"))
    expected = times.user + times.system + times.children_user + times.children_system
    assert own >= 0.04
    assert abs(own - expected) <= 3 / CLOCK_TICKS


def test_process_tree_finds_children_and_grandchildren() -> None:
    grandparent_code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(30)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", grandparent_code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        grandchild = int(child.stdout.readline())
        tree = process_tree(os.getpid())
        assert tree[0] == os.getpid()
        assert child.pid in tree and grandchild in tree
        assert grandchild not in process_tree(os.getpid(), proc=Path("/nonexistent"))
    finally:
        child.kill()
        child.wait()
        try:
            os.kill(grandchild, 9)
        except (ProcessLookupError, UnboundLocalError):
            pass


def test_percentiles_by_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert p50_p99(values) == (percentile(values, 0.5), percentile(values, 0.99)) == (51.0, 99.0)
    assert all(math.isnan(v) for v in p50_p99([]))
    assert ratio(1.0, 4.0) == 0.25
    assert math.isnan(ratio(1.0, 0.0)) and math.isnan(ratio(math.nan, 1.0))


class FakeClock:
    """A clock that moves only when the scheduler sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # the tasks launched so far run first, at the time they were launched
        self.now += seconds


def test_open_loop_sends_on_schedule_and_counts_failures() -> None:
    clock = FakeClock()
    sent_at: list[float] = []

    async def send() -> str | None:
        sent_at.append(clock())
        number = len(sent_at)
        if number % 10 == 0:
            return "status 503"
        if number % 25 == 0:
            raise ConnectionResetError
        return None

    result = asyncio.run(open_loop(send, 100, 0.5, request_timeout=5, clock=clock, sleep=clock.sleep))
    assert due_offsets(100, 0.5) == [i / 100 for i in range(50)]
    assert result.sent == 50 and len(sent_at) == 50
    assert [round(t - 1000.0, 9) for t in sent_at] == [round(i / 100, 9) for i in range(50)]
    assert result.launch_lags == [0.0] * 50
    assert result.launch_rate == pytest.approx(100)
    assert result.kept_up
    assert result.errors == Counter({"status 503": 5, "ConnectionResetError": 1})
    assert len(result.latencies) == 44 and set(result.latencies) == {0.0}


def test_open_loop_latency_counts_from_the_due_time_and_a_late_launch_is_seen() -> None:
    clock = FakeClock()

    async def send() -> str | None:
        clock.now += 0.05  # the load generator is busy for 50 ms each time: it falls behind a 100/s schedule
        return None

    result = asyncio.run(open_loop(send, 100, 0.1, request_timeout=5, clock=clock, sleep=clock.sleep))
    assert result.sent == 10
    assert max(result.launch_lags) > 0.3  # the tenth began about 0.37 s after it was due
    assert not result.kept_up
    assert result.launch_rate < 50
    assert min(result.latencies) == pytest.approx(0.05) and max(result.latencies) > 0.3  # queueing counts


def test_open_loop_times_out_requests_that_never_end() -> None:
    async def send() -> str | None:
        await asyncio.Event().wait()
        return None

    result = asyncio.run(open_loop(send, 200, 0.015, request_timeout=0.01))
    assert result.errors == Counter({"timeout": 3}) and not result.latencies
    assert result.done_rate == 0.0


def test_sse_content_counts_deltas_split_anywhere() -> None:
    frames = b"".join(
        b'data: {"choices":[{"delta":{"content":"%s"}}]}\r\n\r\n' % word.encode() for word in ["a", "b", "c"]
    )
    frames = b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n' + frames + b"data: [DONE]\n\n"
    sse = SseContent()
    for i in range(0, len(frames), 7):
        sse.feed(frames[i : i + 7], now=float(i))
    assert sse.deltas == 3
    assert sse.first_at is not None and sse.first_at > 0


def test_client_reuses_its_connection_and_reads_streams() -> None:
    behaviour = UpstreamBehaviour(answers_for={"long please": words_answer(50)})
    with running_fake_upstream(behaviour) as (base_url, _):

        async def run() -> None:
            client = HttpClient(Endpoint.from_url(f"{base_url}/chat/completions"))
            short = client.request_bytes(b'{"model":"m","messages":[{"role":"user","content":"hi"}]}')
            long = client.request_bytes(
                b'{"model":"m","stream":true,"messages":[{"role":"user","content":"long please"}]}'
            )
            try:
                for _ in range(3):
                    reply = await client.post(short)
                    assert reply.status == 200 and DEFAULT_ANSWER.encode() in reply.body
                streamed = await client.post(long, stream=True)
                assert streamed.status == 200
                assert streamed.content_deltas == 50 and streamed.first_content_at is not None
                assert client.opened == 1
            finally:
                await client.aclose()

        asyncio.run(run())


def test_words_answer_has_exactly_that_many_words() -> None:
    assert len(words_answer(500).split(" ")) == 500
    assert words_answer(3) == "Paris is the"


def _cell(latency_ms: float, cpu_ms: float, requests: int = 10) -> Cell:
    return Cell(latencies_ms=[latency_ms] * requests, cpu_s=cpu_ms * requests / 1000, requests=requests)


def test_acceptance_verdicts() -> None:
    sequential = {
        "casual": {"direct": _cell(1.0, 0.5), "gateway": _cell(3.0, 2.0), "litellm": _cell(11.0, 10.0)},
        "rag": {"direct": _cell(1.0, 0.5), "gateway": _cell(6.0, 5.0), "litellm": _cell(11.0, 10.0)},
    }
    floor = RagFloor(cpu_ms=2.5, wall_ms=2.6, hits=3, chunks=100, repetitions=200)
    fast = OpenLoopResult(100, 1, launch_lags=[0.0] * 100, latencies=[0.004] * 100, last_launch=0.99, last_done=1)
    slow = OpenLoopResult(300, 1, launch_lags=[0.0] * 300, latencies=[0.2] * 299, last_launch=0.997, last_done=1)
    slow.errors["timeout"] = 1
    open_cells = [OpenCell("rag", "gateway", fast, 0.5, True), OpenCell("casual", "gateway", slow, 0.6, True)]
    checks = acceptance(sequential, open_cells, floor, words=500, workers=1, baseline_cpu_per_token_us=None)
    assert rag_bound_ms(floor, sequential["casual"]["gateway"]) == pytest.approx((2.5 + 2.0) * 1.2)
    # added 2 ms vs 10 ms; CPU 2 vs 10; rag 5.0 <= 5.4; rag 100/s p99 4 ms; no stream rows; casual 300/s p99 200 ms
    assert [check.holds for check in checks] == [True, True, True, True, None, None, False]
    assert "0.20" in checks[0].detail and "not measured" in checks[4].detail

    sequential["rag"]["gateway"] = _cell(6.0, 5.5)
    assert acceptance(sequential, [], floor, words=500, workers=1, baseline_cpu_per_token_us=None)[2].holds is False
    assert math.isclose(marginal_cpu_per_token_us(_cell(1, 7.0), _cell(1, 2.0), 500), 10.0)


def test_the_streaming_ratio_is_taken_against_a_baseline_checkout_measured_in_the_same_run() -> None:
    stream = {"gateway": _cell(50.0, 50.0), "baseline": _cell(90.0, 250.0), "litellm": _cell(80.0, 300.0)}
    [*_, against_run, _] = acceptance({"stream": stream}, [], None, words=500, workers=1, baseline_cpu_per_token_us=1)
    assert "baseline checkout's, this run" in against_run.name and against_run.holds is True  # 100 us / 500 us
    assert "0.20" in against_run.detail
    stream["baseline"] = _cell(90.0, 150.0)  # 100 us / 300 us = 0.33
    [*_, against_run, _] = acceptance({"stream": stream}, [], None, words=500, workers=1, baseline_cpu_per_token_us=1)
    assert against_run.holds is False
    del stream["baseline"]  # without one, the number given on the command line: 100 us / 1 us
    [*_, against_number, _] = acceptance(
        {"stream": stream}, [], None, words=500, workers=1, baseline_cpu_per_token_us=1
    )
    assert "--baseline-cpu-per-token" in against_number.name and against_number.holds is False
