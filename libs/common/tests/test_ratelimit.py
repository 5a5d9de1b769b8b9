"""mentornet_common.ratelimit: the moving window in memory and in Redis, and what happens when Redis fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY

import mentornet_common.ratelimit
from mentornet_common.ratelimit import Counters, InProcessStorage, hashed
from mentornet_devkit.broker import free_port


class Clock:
    """Stands in for the ``time`` module where limits' memory storage and the limiter read it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    import limits.aio.storage.memory

    fake = Clock()
    monkeypatch.setattr(limits.aio.storage.memory, "time", fake)
    monkeypatch.setattr(mentornet_common.ratelimit, "time", fake)
    return fake


@pytest.fixture
def memory() -> Counters:
    return Counters("probe")


# the interface, on limits' in-memory storage (the embedded default) ----------------------------------------


async def test_allows_up_to_the_limit_then_says_how_long_to_wait(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("requests", limit=2, window_s=60)
    assert not memory.shared
    assert await limiter.retry_after("a") == 0
    assert await limiter.hit("a") == 0
    clock.now += 10
    assert await limiter.hit("a") == 0
    clock.now += 10
    assert await limiter.retry_after("a") == 40  # the first hit leaves the window 60 s after it came
    assert await limiter.hit("a") == 40


async def test_a_refused_hit_is_not_counted(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("requests", limit=1, window_s=60)
    assert await limiter.hit("a") == 0
    for _ in range(5):
        clock.now += 10
        assert await limiter.hit("a") > 0
    clock.now += 11  # 61 s after the only counted hit
    assert await limiter.hit("a") == 0


async def test_hits_leave_the_window(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("requests", limit=1, window_s=60)
    await limiter.hit("a")
    assert await limiter.retry_after("a") == 60
    clock.now += 61
    assert await limiter.retry_after("a") == 0


async def test_keys_and_limiters_are_counted_apart_and_reset(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("login-account", limit=1, window_s=60)
    other = memory.limiter("login-address", limit=1, window_s=60)
    await limiter.hit("a")
    assert await limiter.retry_after("b") == 0
    assert await other.retry_after("a") == 0
    await limiter.reset("a")
    assert await limiter.retry_after("a") == 0


async def test_windows_are_whole_seconds_rounded_up(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("requests", limit=1, window_s=0.2)
    assert limiter.window_s == 1
    await limiter.hit("a")
    assert await limiter.retry_after("a") == 1


async def test_counting_in_memory_hands_nothing_to_a_thread(
    memory: Counters, monkeypatch: pytest.MonkeyPatch
) -> None:
    """limits' own in-memory storage sweeps every key after every hit through asyncio.to_thread — a
    thread hand-over per key per request; the process's storage sweeps in the loop, once a second."""
    import limits.aio.storage.memory

    handed: list[object] = []
    real = asyncio.to_thread

    async def counted(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        handed.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(limits.aio.storage.memory.asyncio, "to_thread", counted)
    limiter = memory.limiter("requests", 100, 60)
    for n in range(200):
        assert await limiter.hit(f"caller-{n % 50}") == 0
        await asyncio.sleep(0)  # as between requests: whatever a hit started in the background runs
    assert handed == []


async def test_the_sweep_forgets_hits_that_left_their_window(clock: Clock, memory: Counters) -> None:
    limiter = memory.limiter("requests", 5, 10)
    for n in range(20):
        await limiter.hit(f"caller-{n}")
    storage = memory._memory.storage
    assert isinstance(storage, InProcessStorage)
    assert len(storage.events) == 20
    clock.now += 11  # every hit has left its window, and a second has passed since the last sweep
    await limiter.hit("caller-new")
    (kept,) = storage.events  # the new caller's hit alone
    assert hashed("caller-new") in kept


def test_keys_are_hashed() -> None:
    assert hashed("ip:203.0.113.7|3b1f") == hashed("ip:203.0.113.7|3b1f")
    assert len(hashed("x")) == 32 and hashed("x") != hashed("y")
    assert "203.0.113.7" not in hashed("ip:203.0.113.7")


def test_only_redis_urls_are_taken() -> None:
    with pytest.raises(ValueError, match="redis://"):
        Counters("probe", "http://127.0.0.1:6379")


# in Redis: one budget for every process ---------------------------------------------------------------------


@pytest.fixture
async def replicas(redis_url: str, redis_key_prefix: str) -> AsyncIterator[tuple[Counters, Counters]]:
    """Two processes' counters (as two replicas of one service have), in one Redis."""
    first = Counters("probe", redis_url, redis_key_prefix)
    second = Counters("probe", redis_url, redis_key_prefix)
    yield first, second
    await first.close()
    await second.close()


async def test_replicas_counting_in_redis_share_one_budget(replicas: tuple[Counters, Counters]) -> None:
    first, second = (counters.limiter("requests", limit=3, window_s=60) for counters in replicas)
    assert replicas[0].shared
    answers = [await (first if i % 2 == 0 else second).hit("user:usr_ann") for i in range(6)]
    assert answers[:3] == [0, 0, 0]
    assert all(55 <= wait <= 60 for wait in answers[3:])
    assert await second.retry_after("user:usr_ann") > 0
    await first.reset("user:usr_ann")
    assert await second.hit("user:usr_ann") == 0


async def test_redis_keys_are_namespaced_and_hold_no_raw_key(
    replicas: tuple[Counters, Counters], redis_url: str, redis_key_prefix: str
) -> None:
    secret = "203.0.113.7|ann@example.org"
    await replicas[0].limiter("login-account", limit=5, window_s=900).hit(secret)
    with redis.Redis.from_url(redis_url) as client:
        keys = [key.decode() for key in client.scan_iter(match=f"{redis_key_prefix}:*")]
    assert keys == [f"{redis_key_prefix}:probe:login-account/{hashed(secret)}/5/900/second"]
    assert "203.0.113.7" not in keys[0] and "ann@" not in keys[0]
    with redis.Redis.from_url(redis_url) as client:
        assert 0 < client.ttl(keys[0]) <= 900  # the key leaves with its window


# when Redis fails: counted in memory, never unlimited, and back to Redis when it answers -------------------


def fallbacks(limiter: str) -> float:
    labels = {"service": "probe", "limiter": limiter}
    return REGISTRY.get_sample_value("mentornet_rate_limit_fallbacks_total", labels) or 0.0


@pytest.fixture
async def unreachable() -> AsyncIterator[Counters]:
    counters = Counters("probe", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    yield counters
    await counters.close()


async def test_an_unreachable_redis_is_replaced_by_memory_with_a_warning_and_a_metric(
    unreachable: Counters, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = unreachable.limiter("login-address", limit=2, window_s=60)
    before = fallbacks("login-address")
    with caplog.at_level(logging.WARNING, logger="mentornet_common.ratelimit"):
        answers = [await limiter.hit("ip:203.0.113.7") for _ in range(4)]
    assert answers[:2] == [0, 0] and all(wait > 0 for wait in answers[2:])  # throttled all the same
    assert fallbacks("login-address") - before == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "counting in this process's memory" in warnings[0]  # once per outage


async def test_after_a_failure_redis_is_tried_again_and_counts_again(
    redis_url: str, redis_key_prefix: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    counters = Counters("probe", redis_url, redis_key_prefix, retry_redis_after_s=0.0)
    other_replica = Counters("probe", redis_url, redis_key_prefix)
    limiter = counters.limiter("requests", limit=5, window_s=60)
    strategy = counters._redis
    assert strategy is not None
    working = strategy.hit

    async def broken(*args: object, **kwargs: object) -> bool:
        raise redis.ConnectionError("simulated outage")

    monkeypatch.setattr(strategy, "hit", broken)
    with caplog.at_level(logging.INFO, logger="mentornet_common.ratelimit"):
        assert await limiter.hit("user:usr_ann") == 0  # counted in memory
        monkeypatch.setattr(strategy, "hit", working)
        assert await limiter.hit("user:usr_ann") == 0  # in Redis again
    assert "Redis answers again" in caplog.text
    # Redis holds the hit counted after the outage (not the one in memory): another replica has 4 left.
    shared = other_replica.limiter("requests", limit=5, window_s=60)
    answers = [await shared.hit("user:usr_ann") for _ in range(5)]
    assert answers[:4] == [0, 0, 0, 0] and answers[4] > 0
    await counters.close()
    await other_replica.close()
