"""`make run` as processes, restarted and killed: the operator variables are honoured on a restart, and a
runner that is SIGKILLed takes every process it started with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mentornet_devkit.broker import free_port_block
from mentornet_devkit.datadir import OPERATOR_LOGIN, PIDS_FILE, pid_alive
from mentornet_devkit.run import DEFAULT_OPERATOR
from mentornet_devkit.testing import eventually

pytestmark = pytest.mark.e2e

OPS = ("ops@consortium.example", "a second operator's password")
OPERATOR_VARIABLES = ("MENTORNET_OPERATOR_EMAIL", "MENTORNET_OPERATOR_PASSWORD")


class Runner:
    """`make run DATA_DIR=… PORT_BASE=… BROKER_PORT=…` started, restarted and stopped on one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        # the broker's port in the same block: below the kernel's ephemeral range, free again on a restart
        self.port_base = free_port_block(8) + 1  # the console on the port below
        self.broker_port = self.port_base + 6
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *args: str, **operator: str) -> str:
        """Start it with these operator variables (only), and return what it printed but the processes'
        lines, its words joined by single spaces."""
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if k not in OPERATOR_VARIABLES} | operator
        log = self.folder / f"run-{self.starts}.log"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "mentornet_devkit.run", "--data-dir", str(self.data)),
                *("--broker-port", str(self.broker_port), "--port-base", str(self.port_base)),
                *args,
            ],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while "mentornet is running" not in (text := log.read_text(errors="replace")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"make run did not come up:\n{text[-5000:]}")
            time.sleep(0.2)
        own = [line for line in text.splitlines() if " | " not in line[:20]]  # the banner is one write
        return " ".join(" ".join(own).split())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            assert self.process.wait(timeout=90) == 0

    def token(self, email: str, password: str) -> httpx.Response:
        return httpx.post(
            f"http://127.0.0.1:{self.port_base}/v1/token",
            data={"grant_type": "password", "username": email, "password": password},
            timeout=15,
        )


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    running = Runner(tmp_path)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_a_restart_with_new_operator_variables_adds_that_operator(runner: Runner) -> None:
    first = runner.start()
    assert f"Log in as {DEFAULT_OPERATOR}:" in first
    default = (runner.data / OPERATOR_LOGIN).read_text().split()
    runner.stop()

    second = runner.start(MENTORNET_OPERATOR_EMAIL=OPS[0], MENTORNET_OPERATOR_PASSWORD=OPS[1])
    assert f"The operators of this data folder: {DEFAULT_OPERATOR}, {OPS[0]}." in second
    assert f"Log in as {OPS[0]}:" in second
    token = runner.token(*OPS)
    assert token.status_code == 200, token.text
    me = httpx.get(
        f"http://127.0.0.1:{runner.port_base}/v1/me",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=15,
    )
    assert (me.json()["email"], me.json()["roles"]) == (OPS[0], ["operator"])
    assert runner.token(*default).status_code == 200  # the first operator is still there
    runner.stop()

    # the same operator with another password: left as it is, and the banner says so
    third = runner.start(MENTORNET_OPERATOR_EMAIL=OPS[0], MENTORNET_OPERATOR_PASSWORD="not the password")
    assert f"Cannot log in as {OPS[0]}:" in third
    assert "an existing operator's password is never changed" in third
    assert runner.token(*OPS).status_code == 200
    runner.stop()


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")


@pytest.mark.parametrize(
    ("how", "lifeline"),
    [
        pytest.param(signal.SIGKILL, "prctl", marks=LINUX_ONLY),
        (signal.SIGKILL, "watchdog"),  # macOS's way, tried here too
        (signal.SIGTERM, None),  # the runner stops them itself
        (signal.SIGINT, None),
    ],
    ids=["SIGKILL-prctl", "SIGKILL-watchdog", "SIGTERM", "SIGINT"],
)
async def test_however_the_runner_dies_every_process_it_started_goes_with_it(
    runner: Runner, how: signal.Signals, lifeline: str | None
) -> None:
    runner.start(*(("--lifeline", lifeline) if lifeline else ()))
    listed = {e["name"]: e["pid"] for e in json.loads((runner.data / PIDS_FILE).read_text())}
    assert runner.process is not None and listed["runner"] == runner.process.pid
    started = {name: pid for name, pid in listed.items() if name != "runner"}
    assert {"broker", "identity-api", "identity-worker", "streams-worker"} <= set(started)

    runner.process.send_signal(how)
    runner.process.wait(timeout=90)

    async def all_gone() -> bool:
        return not any(pid_alive(pid) for pid in started.values())

    await eventually(all_gone, timeout_s=60, what=f"the end of every process the runner started ({how.name})")
