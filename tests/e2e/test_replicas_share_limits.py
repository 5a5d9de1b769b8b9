"""Two replicas of a service draw on one budget when ``MENTORNET_REDIS_URL`` is set: the request rate limit
(two profiles API processes) and the login throttle (two identity API processes), with requests alternating
between the replicas. The same scenario without Redis admits twice as much — each replica grants a budget of
its own, as every replica did before the counts moved to Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mentornet_devkit.broker import free_port

pytestmark = pytest.mark.e2e

BUDGET = 5
ATTEMPTS = 4 * BUDGET


@contextmanager
def replicas(service: str, folder: Path, settings: dict[str, str], count: int = 2) -> Iterator[list[str]]:
    """``count`` API processes of ``service`` (``python -m <service>.main``, uvicorn), each with its own
    stores, configured only by ``settings`` (none of this environment's MENTORNET_ variables); their URLs."""
    nothing = free_port()  # no broker nor identity is needed to count requests: nothing listens there
    started: list[tuple[subprocess.Popen[bytes], Path, str]] = []
    try:
        for i in range(count):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORNET_")} | {
                "MENTORNET_PORT": str(port),
                "MENTORNET_DATA_DIR": str(folder / f"{service}-{i}"),
                "MENTORNET_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{nothing}",
                "MENTORNET_JWKS_URL": f"http://127.0.0.1:{nothing}/.well-known/jwks.json",
                "MENTORNET_LOG_JSON": "false",
                **settings,
            }
            log = folder / f"{service}-{i}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", f"{service}.main"],
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            started.append((process, log, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + 60
        for process, log, url in started:
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1, trust_env=False).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"{service} at {url} did not come up:\n{log.read_text(errors='replace')[-3000:]}"
                    )
                time.sleep(0.1)
        yield [url for _, _, url in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def counted_in(shared: bool, request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings that make the replicas count in this test's own keys in Redis, or each in its memory."""
    if not shared:
        return {}
    return {
        "MENTORNET_REDIS_URL": request.getfixturevalue("redis_url"),
        "MENTORNET_REDIS_KEY_PREFIX": request.getfixturevalue("redis_key_prefix"),
    }


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_two_replicas_grant_one_request_budget_when_they_count_in_redis(
    shared: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    settings = {"MENTORNET_RATE_LIMIT_PER_MINUTE": str(BUDGET), **counted_in(shared, request)}
    with replicas("profiles", tmp_path, settings) as urls, httpx.Client(timeout=10, trust_env=False) as http:
        # one caller (this address), every other request to the other replica
        answers = [http.get(f"{urls[i % 2]}/openapi.json") for i in range(ATTEMPTS)]
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) == {200, 429}, statuses
    admitted = statuses.count(200)
    assert admitted == (BUDGET if shared else 2 * BUDGET), f"{admitted} of {ATTEMPTS} admitted: {statuses}"
    refused = answers[statuses.index(429)]
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_two_replicas_throttle_one_account_together_when_they_count_in_redis(
    shared: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    settings = {
        "MENTORNET_LOGIN_FAILURES_PER_ACCOUNT": str(BUDGET),
        "MENTORNET_ARGON2_TIME_COST": "1",
        "MENTORNET_ARGON2_MEMORY_COST_KIB": "64",
        **counted_in(shared, request),
    }
    guess = {"grant_type": "password", "username": "ann@acme.example", "password": "not the password"}
    with replicas("identity", tmp_path, settings) as urls, httpx.Client(timeout=10, trust_env=False) as http:
        answers = [http.post(f"{urls[i % 2]}/v1/token", data=guess) for i in range(ATTEMPTS)]
    statuses = [answer.status_code for answer in answers]
    failures = BUDGET if shared else 2 * BUDGET  # the guesses that were checked before the throttle answered
    assert statuses == [400] * failures + [429] * (ATTEMPTS - failures), statuses
    assert int(answers[-1].headers["retry-after"]) > 0
