"""The whole system as processes, started once for the e2e tests exactly as `make run` starts it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mentornet_devkit.broker import free_port, free_port_block, wait_for_port
from mentornet_devkit.demo import Urls

OPERATOR = ("ops@consortium.example", "an operator password")


@dataclass
class System:
    process: subprocess.Popen[bytes]
    bootstrap: str
    urls: Urls
    log: Path
    # the web console, on the port below identity's
    console: str = ""


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    folder = tmp_path_factory.mktemp("make-run")
    broker_port, port_base = free_port(), free_port_block(7) + 1  # the console: port_base - 1
    env = {
        **os.environ,
        "MENTORNET_OPERATOR_EMAIL": OPERATOR[0],
        "MENTORNET_OPERATOR_PASSWORD": OPERATOR[1],
        # The pull feed's long-poll answers within a second here, so fuzzing it stays quick.
        "MENTORNET_FEED_MAX_WAIT_S": "1",
    }
    log = folder / "run.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mentornet_devkit.run",
            "--data-dir",
            str(folder / "data"),
            "--broker-port",
            str(broker_port),
            "--port-base",
            str(port_base),
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = System(
        process,
        f"127.0.0.1:{broker_port}",
        Urls.from_base(port_base=port_base),
        log,
        f"http://127.0.0.1:{port_base - 1}",
    )
    deadline = time.monotonic() + 300  # a busy machine: seven APIs, six workers and a broker to start
    while "mentornet is running" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"make run did not come up:\n{log.read_text(errors='replace')[-5000:]}")
        time.sleep(0.2)
    yield running

    # Ctrl-C stops everything cleanly: exit code 0, nothing left listening.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, log.read_text(errors="replace")[-3000:]
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", broker_port, timeout_s=1)
    for url in [*vars(running.urls).values(), running.console]:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/healthz", timeout=1)


@pytest.fixture
async def leave_directory(system: System) -> AsyncIterator[list[tuple[str, dict[str, str]]]]:
    """Mentors a test publishes: withdrawn at its end whatever happened, so the shared directory is as the
    other tests expect (the demo expects to propose its own mentors)."""
    mentors: list[tuple[str, dict[str, str]]] = []
    yield mentors
    async with httpx.AsyncClient(timeout=15) as http:
        for mentor_id, headers in mentors:
            quiet = {"display_name": "Former mentor", "mentoring": {"active": False}, "visibility": "org"}
            await http.put(f"{system.urls.profiles}/v1/profiles/me", json=quiet, headers=headers)
            for _ in range(150):
                listed = await http.get(f"{system.urls.matching}/v1/mentors?limit=200", headers=headers)
                if all(m["mentor_id"] != mentor_id for m in listed.json().get("items", [])):
                    break
                await asyncio.sleep(0.2)


# Every service's API, with a route each person's token may call: an old token must get 401 from each.
PERSON_ROUTES = {
    "identity": "/v1/orgs",
    "profiles": "/v1/profiles/me",
    "matching": "/v1/asks",
    "sessions": "/v1/sessions",
    "feedback": "/v1/feedback",
    "streams": "/v1/events",
}


async def seconds_until_refused_everywhere(
    urls: Urls, headers: dict[str, str], deadline_s: float = 15.0
) -> dict[str, float]:
    """How long after now each service took to answer ``headers``' token with 401 (polled every 50 ms);
    fails when one has not by ``deadline_s``."""
    started = time.monotonic()
    refused: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=5) as http:
        while len(refused) < len(PERSON_ROUTES):
            for service, path in PERSON_ROUTES.items():
                if service in refused:
                    continue
                response = await http.get(f"{getattr(urls, service)}{path}", headers=headers)
                if response.status_code == 401:
                    refused[service] = time.monotonic() - started
            if time.monotonic() - started > deadline_s:
                raise AssertionError(
                    f"still accepted after {deadline_s} s by {set(PERSON_ROUTES) - set(refused)}"
                )
            await asyncio.sleep(0.05)
    return refused
