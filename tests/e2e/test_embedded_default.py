"""`make run` as a newcomer meets it: start, log in, register two orgs and their people, see the events."""

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

from mentornet_devkit.broker import free_port, wait_for_port
from mentornet_devkit.testing import header, read_all

pytestmark = pytest.mark.e2e

OPERATOR = ("ops@consortium.example", "an operator password")


class Running:
    def __init__(self, process: subprocess.Popen[bytes], broker_port: int, identity_port: int) -> None:
        self.process = process
        self.bootstrap = f"127.0.0.1:{broker_port}"
        self.identity = f"http://127.0.0.1:{identity_port}"


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Running]:
    broker_port, identity_port = free_port(), free_port()
    env = {
        **os.environ,
        "MENTORNET_OPERATOR_EMAIL": OPERATOR[0],
        "MENTORNET_OPERATOR_PASSWORD": OPERATOR[1],
    }
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mentornet_devkit.run",
            "--data-dir",
            str(tmp_path / "data"),
            "--broker-port",
            str(broker_port),
            "--port-base",
            str(identity_port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    running = Running(process, broker_port, identity_port)
    try:
        deadline = time.monotonic() + 60
        while "mentornet is running" not in (tmp_path / "run.log").read_text(errors="replace"):
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, "make run did not come up within 60s"
            time.sleep(0.2)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


async def test_a_newcomer_registers_two_orgs_and_sees_the_events(embedded: Running) -> None:
    async with httpx.AsyncClient(base_url=embedded.identity, timeout=10) as http:
        token = await http.post(
            "/v1/token", data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]}
        )
        operator = {"Authorization": f"Bearer {token.json()['access_token']}"}
        orgs = {}
        for slug in ("acme", "globex"):
            response = await http.post(
                "/v1/orgs", json={"slug": slug, "name": slug.title()}, headers=operator
            )
            assert response.status_code == 201
            orgs[slug] = response.json()["id"]
            user = await http.post(
                f"/v1/orgs/{orgs[slug]}/users",
                json={
                    "email": f"admin@{slug}.example",
                    "name": "Admin",
                    "password": "a long password",
                    "roles": ["org_admin"],
                },
                headers=operator,
            )
            assert user.status_code == 201
        ready = await http.get("/readyz")
        assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}

    records = await read_all(embedded.bootstrap, "mentornet.identity", expect=4)
    by_tenant: dict[str, list[str]] = {}
    for record in records:
        by_tenant.setdefault(header(record, "ce_tenantid") or "", []).append(header(record, "ce_type") or "")
        assert json.loads(record.value)
    assert {tenant: sorted(types) for tenant, types in by_tenant.items()} == {
        org: ["mentornet.org-registered.v1", "mentornet.user-registered.v1"] for org in orgs.values()
    }


def test_ctrl_c_stops_everything_cleanly(embedded: Running) -> None:
    embedded.process.send_signal(signal.SIGINT)
    assert embedded.process.wait(timeout=30) == 0
    broker_port = int(embedded.bootstrap.rsplit(":", 1)[1])
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", broker_port, timeout_s=1)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{embedded.identity}/healthz", timeout=1)
