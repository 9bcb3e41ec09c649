"""Token buckets keyed by caller (a key's fingerprint or a client address), with bounded memory."""

import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute on average, bursts up to `burst`.

    Counted in this process; with several workers each has its own buckets, so the effective limit is per
    worker. Buckets of idle callers are evicted beyond `max_callers`, so random keys or addresses cannot grow
    memory.
    """

    def __init__(self, per_minute: int, burst: int | None = None, *, max_callers: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _refill(self, bucket: _Bucket, now: float) -> None:
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now

    def _wait(self, bucket: _Bucket) -> float:
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate

    def acquire(self, caller: str, now: float | None = None) -> float:
        """Take one request from `caller`'s bucket: 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(caller, None) or _Bucket(self.burst, now)
        self._refill(bucket, now)
        self._buckets[caller] = bucket
        if len(self._buckets) > self.max_callers:
            self._buckets.popitem(last=False)
        wait = self._wait(bucket)
        if wait == 0:
            bucket.tokens -= 1
        return wait

    def wait(self, caller: str, now: float | None = None) -> float:
        """The seconds until `caller` has a request left (0 when it has one now), taking nothing; a caller
        without a bucket is not given one, so asking costs no memory."""
        bucket = self._buckets.get(caller)
        if bucket is None:
            return 0.0
        self._refill(bucket, time.monotonic() if now is None else now)
        return self._wait(bucket)
