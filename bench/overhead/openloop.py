"""Open-loop load: requests sent on a fixed schedule, whether or not the earlier ones have been answered.

A closed loop (N clients, each waiting for its answer before sending again) slows down with the server and so
hides its queue: the latency it reports stays flat while the server falls behind. Real clients do not wait for
each other. Here request i is due at t0 + i/rate, each runs as its own task, and its latency is measured from the
time it was due, so time spent queued (in the load generator, the kernel or the server) counts.

How late each request was launched is kept too: if the load generator itself fell behind (launch lag, launch
rate below the target), the row measures the machine, not the server, and says so.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.stats import percentile

Send = Callable[[], Awaitable[str | None]]
"""Sends one request; returns None when it succeeded, else a short label of the failure (e.g. `status 503`)."""

KEPT_UP_LAUNCH_SHARE = 0.97
"""The load generator kept up if it launched at least this share of the target rate..."""
KEPT_UP_LAG_P99_S = 0.005
"""...and 99% of its requests at most this late."""


def due_offsets(rate: float, seconds: float) -> list[float]:
    """When each request is due, in seconds after the start: `rate * seconds` of them, evenly spaced."""
    return [i / rate for i in range(max(1, round(rate * seconds)))]


@dataclass
class OpenLoopResult:
    """What one open-loop run saw; all times in seconds."""

    rate: float
    seconds: float
    launch_lags: list[float] = field(default_factory=list)
    """For each request, how long after its due time it began (its task started sending)."""
    latencies: list[float] = field(default_factory=list)
    """For each successful request, from its due time to its complete answer."""
    errors: Counter[str] = field(default_factory=Counter)
    last_launch: float = 0.0
    """When the last request began, after the start."""
    last_done: float = 0.0
    """When the last request ended, after the start."""

    @property
    def sent(self) -> int:
        return len(self.launch_lags)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def launch_rate(self) -> float:
        """Requests launched per second: `rate` exactly when every one left on time."""
        return self.sent / (self.last_launch + 1 / self.rate) if self.sent else 0.0

    @property
    def done_rate(self) -> float:
        """Successful answers per second, over the schedule or until the last answer if that came later."""
        return len(self.latencies) / max(self.seconds, self.last_done) if self.latencies else 0.0

    @property
    def kept_up(self) -> bool:
        """Whether the load generator launched the schedule on time (else the row measures the machine)."""
        if not self.launch_lags:
            return False
        lag_p99 = percentile(self.launch_lags, 0.99)
        return self.launch_rate >= KEPT_UP_LAUNCH_SHARE * self.rate and lag_p99 <= KEPT_UP_LAG_P99_S


async def open_loop(
    send: Send,
    rate: float,
    seconds: float,
    *,
    request_timeout: float,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> OpenLoopResult:
    """Launch `send` at `rate` per second for `seconds`, each bounded by `request_timeout`, and wait for all.

    `clock` and `sleep` are parameters so that a test can run the schedule on a fake clock.
    """
    result = OpenLoopResult(rate, seconds)
    start = clock()

    async def one(due: float) -> None:
        began = clock()
        result.launch_lags.append(max(0.0, began - due))
        result.last_launch = max(result.last_launch, began - start)
        try:
            async with asyncio.timeout(request_timeout):
                error = await send()
        except TimeoutError:
            error = "timeout"
        except Exception as exc:  # a failed request is a counted error, not the end of the run
            error = type(exc).__name__
        done = clock()
        result.last_done = max(result.last_done, done - start)
        if error is None:
            result.latencies.append(done - due)
        else:
            result.errors[error] += 1

    tasks: list[asyncio.Task[None]] = []
    for offset in due_offsets(rate, seconds):
        due = start + offset
        # Sleeping (if only for 0 s) also lets the task made last time begin: a late schedule launches its backlog
        # one request at a time, each counted as late as it really began, not in one unmeasured burst.
        await sleep(max(0.0, due - clock()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return result
