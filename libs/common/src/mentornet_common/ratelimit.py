"""Rate limits and failure throttles, counted by the ``limits`` library: in Redis when
``MENTORNET_REDIS_URL`` names one, so that every replica of a service draws on one budget; in this process's
memory when it is empty (the embedded default, one process per service).

One small interface serves every caller (the request rate limits of ``RateLimitMiddleware`` and identity's
login throttling): ``Counters`` is where a process counts, ``Counters.limiter(name, limit, window_s)`` one
limit, and a ``Limiter`` answers ``await hit(key)`` (0 when the hit was counted, else the seconds to wait,
nothing counted), ``await retry_after(key)`` (the same question without counting) and ``await reset(key)``.

Strategy: limits' moving window (``MovingWindowRateLimiter``) — at most ``limit`` hits in any ``window_s``
seconds, an exact sliding log like the hand-written limiter it replaced, so every limit answers as before and
``Retry-After`` is when the oldest counted hit leaves the window. (limits' sliding window counter keeps two
integers instead of up to ``limit`` timestamps, but only approximates the window.) In Redis a hit's check and
count are one Lua script, so replicas racing for the last unit of a budget never admit more than it; the
timestamps are the replicas' clocks, which must agree to well within a window. Windows are whole seconds
(a fraction rounds up).

Keys: ``<MENTORNET_REDIS_KEY_PREFIX>:<service>:<limiter>/<caller>/<limit>/<window>/second``, where the caller
is the first 32 hex digits of the SHA-256 of what the caller passed: no client address, e-mail (hash) or
client id stands in clear in Redis. Each key expires with its window.

When Redis fails (unreachable, timing out, answering with an error), a limiter neither fails the request nor
lets it through uncounted: it falls back to counting in this process's memory — per replica, as before Redis
was configured — logs a warning once per outage, and counts each operation it took over in
``mentornet_rate_limit_fallbacks_total{service, limiter}``. Redis is tried again ``RETRY_REDIS_AFTER_S`` after
a failure (not on every request, so an outage adds no timeout to each one), and its return is logged. For the
login throttle this is the point: password guessing stays throttled through an outage (never fail-open);
request rate limits take the same path, a per-replica budget being better than none.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter

from mentornet_common.settings import REDIS_SCHEMES, CommonSettings
from mentornet_common.telemetry import RATE_LIMIT_FALLBACKS

log = logging.getLogger(__name__)

T = TypeVar("T")

REDIS_TIMEOUT_S = 0.5
"""Connecting to Redis and each command: past it, the operation is counted in memory."""
RETRY_REDIS_AFTER_S = 5.0
"""After a failure, operations go straight to memory for this long before Redis is tried again."""


class InProcessStorage(MemoryStorage):
    """limits' in-memory storage with its expiry sweep done in the event loop's thread, at most once every
    ``SWEEP_EVERY_S``. limits (5.8) starts a sweep after every hit, and the sweep hands each key's events
    to a worker thread (``asyncio.to_thread``): a thread hand-over per key on every request — a tenth of a
    busy API's CPU. The sweep only bounds memory; the limits count from each hit's time either way."""

    SWEEP_EVERY_S = 1.0
    _swept_at = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:  # limits' private hook (name-mangled)
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_EVERY_S:
            self._swept_at = now
            self.sweep()

    def sweep(self) -> None:
        """Drop expired hits and counters (nothing awaits in between, so no lock is needed)."""
        now = time.time()
        for key, events in list(self.events.items()):
            kept = bisect.bisect_left(events, -now, key=lambda event: -event.expiry)  # newest first
            if kept:
                del events[kept:]
            else:
                self.events.pop(key, None)
                self.locks.pop(key, None)
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def hashed(key: str) -> str:
    """What a key is stored under: no raw address, e-mail hash or client id in Redis."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class Counters:
    """Where one process's limiters count: Redis (one budget for every replica) or this process's memory."""

    def __init__(
        self,
        service: str,
        redis_url: str = "",
        key_prefix: str = "mentornet",
        *,
        timeout_s: float = REDIS_TIMEOUT_S,
        retry_redis_after_s: float = RETRY_REDIS_AFTER_S,
    ) -> None:
        self.service = service
        self._memory = MovingWindowRateLimiter(InProcessStorage())
        self._redis_storage: RedisStorage | None = None
        self._redis: MovingWindowRateLimiter | None = None
        if redis_url:
            if not redis_url.startswith(REDIS_SCHEMES):
                raise ValueError(f"a Redis URL starts with one of {', '.join(REDIS_SCHEMES)}")
            self._redis_storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix=key_prefix,
                wrap_exceptions=True,
                socket_connect_timeout=timeout_s,
                socket_timeout=timeout_s,
            )
            self._redis = MovingWindowRateLimiter(self._redis_storage)
        self._retry_redis_after_s = retry_redis_after_s
        self._redis_failing = False
        self._skip_redis_until = 0.0  # time.monotonic()

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> Counters:
        return cls(settings.service_name, settings.redis_url, settings.redis_key_prefix)

    @property
    def shared(self) -> bool:
        """True when the counts live in Redis (shared by every replica), False for this process only."""
        return self._redis is not None

    def limiter(self, name: str, limit: int, window_s: float) -> Limiter:
        """At most ``limit`` hits per key in any ``window_s`` seconds, counted here under ``name``."""
        return Limiter(self, name, limit, window_s)

    async def run(self, limiter: str, operation: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        """``operation`` on Redis when there is one and it answers, else on this process's memory."""
        if self._redis is not None:
            if time.monotonic() >= self._skip_redis_until:
                try:
                    result = await operation(self._redis)
                except Exception as exc:  # never fail the request: count in memory instead
                    self._skip_redis_until = time.monotonic() + self._retry_redis_after_s
                    if not self._redis_failing:
                        self._redis_failing = True
                        log.warning(
                            "rate limits: Redis failed (%s: %s); counting in this process's memory (per "
                            "replica) until it answers again, retried every %.0f s",
                            type(exc).__name__, exc, self._retry_redis_after_s,
                        )  # fmt: skip
                else:
                    if self._redis_failing:
                        self._redis_failing = False
                        log.info("rate limits: Redis answers again; counting there")
                    return result
            RATE_LIMIT_FALLBACKS.labels(self.service, limiter).inc()
        return await operation(self._memory)

    async def close(self) -> None:
        """Close the connections to Redis (at the end of the app's lifespan)."""
        if self._redis_storage is not None and isinstance(self._redis_storage.bridge, RedispyBridge):
            await self._redis_storage.bridge.storage.aclose()


class Limiter:
    """One limit: at most ``limit`` hits per key in any ``window_s`` seconds (whole seconds, rounded up)."""

    def __init__(self, counters: Counters, name: str, limit: int, window_s: float) -> None:
        self.name = name
        self.limit = limit
        self.window_s = max(1, math.ceil(window_s))
        self._counters = counters
        self._item: RateLimitItem = RateLimitItemPerSecond(
            limit, self.window_s, namespace=f"{counters.service}:{name}"
        )

    async def hit(self, key: str) -> int:
        """Count one hit for ``key`` if the limit allows it: 0 when counted, else the seconds to wait (and
        nothing was counted)."""
        stored = hashed(key)

        async def count(strategy: MovingWindowRateLimiter) -> int:
            if await strategy.hit(self._item, stored):
                return 0
            return await self._wait(strategy, stored)

        return await self._counters.run(self.name, count)

    async def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may hit again; 0 when it may now (nothing is counted)."""
        stored = hashed(key)
        return await self._counters.run(self.name, lambda strategy: self._wait(strategy, stored))

    async def reset(self, key: str) -> None:
        """Forget ``key``'s hits (e.g. its failed logins, after a successful one)."""
        stored = hashed(key)
        await self._counters.run(self.name, lambda strategy: strategy.clear(self._item, stored))

    async def _wait(self, strategy: MovingWindowRateLimiter, stored: str) -> int:
        stats = await strategy.get_window_stats(self._item, stored)
        if stats.remaining > 0:
            return 0
        return max(1, math.ceil(stats.reset_time - time.time()))
