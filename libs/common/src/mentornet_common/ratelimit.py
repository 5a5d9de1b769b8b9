"""A bounded, in-process sliding-window limiter (per replica; counts live in memory only)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque


class SlidingWindowLimiter:
    """At most ``limit`` hits per key within ``window_s``; remembers at most ``max_keys`` keys."""

    def __init__(self, limit: int, window_s: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = deque()
            self._hits[key] = hits
            while len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds until ``key`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return 0
        return max(1, math.ceil(hits[0] + self.window_s - now))

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one hit for ``key``."""
        now = time.monotonic() if now is None else now
        self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        """Forget ``key`` (e.g. after a successful login)."""
        self._hits.pop(key, None)
