from __future__ import annotations

from mentornet_common.ratelimit import SlidingWindowLimiter


def test_allows_up_to_the_limit_then_says_how_long_to_wait() -> None:
    limiter = SlidingWindowLimiter(limit=2, window_s=60)
    assert limiter.retry_after("a", now=0) == 0
    limiter.hit("a", now=0)
    limiter.hit("a", now=10)
    assert limiter.retry_after("a", now=20) == 40


def test_hits_leave_the_window() -> None:
    limiter = SlidingWindowLimiter(limit=1, window_s=60)
    limiter.hit("a", now=0)
    assert limiter.retry_after("a", now=61) == 0


def test_keys_are_counted_apart_and_reset() -> None:
    limiter = SlidingWindowLimiter(limit=1, window_s=60)
    limiter.hit("a", now=0)
    assert limiter.retry_after("b", now=1) == 0
    limiter.reset("a")
    assert limiter.retry_after("a", now=1) == 0


def test_memory_is_bounded() -> None:
    limiter = SlidingWindowLimiter(limit=1, window_s=60, max_keys=10)
    for i in range(100):
        limiter.hit(str(i), now=0)
    assert limiter.retry_after("0", now=1) == 0
    assert limiter.retry_after("99", now=1) > 0
