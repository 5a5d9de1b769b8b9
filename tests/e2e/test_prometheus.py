"""Debian's Prometheus against `make run`: it scrapes every API and every worker, with the labels the rules
and the dashboards read, and evaluates every rule of deploy/docker/prometheus-rules.yml without an error."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mentornet_devkit.broker import free_port
from mentornet_devkit.pytest_plugin import require_tool
from mentornet_devkit.testing import eventually

from .conftest import System

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy/docker/prometheus-rules.yml"
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")


def scrape_config(system: System) -> dict[str, Any]:
    """compose's scrape configuration (deploy/docker/prometheus.yml) with `make run`'s addresses: each API's
    port, and each worker's metrics port from processes.json."""
    processes = json.loads((system.log.parent / "data" / "processes.json").read_text())
    workers = {p["role"]: p["metrics_port"] for p in processes if "metrics_port" in p}
    apis = {s: getattr(system.urls, s).removeprefix("http://") for s in SERVICES}
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "mentornet-api",
                "static_configs": [
                    {"targets": [apis[s]], "labels": {"mentornet_service": s}} for s in SERVICES
                ],
            },
            {
                "job_name": "mentornet-worker",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{workers[f'{s}-worker']}"], "labels": {"mentornet_service": s}}
                    for s in SERVICES
                ],
            },
        ],
    }


@pytest.fixture
def prometheus(system: System, tmp_path: Path) -> Iterator[str]:
    binary = require_tool("prometheus")
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(system)))
    port = free_port()
    log = tmp_path / "prometheus.log"
    process = subprocess.Popen(
        [
            str(binary),
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_prometheus_scrapes_every_api_and_worker_and_evaluates_every_rule(
    system: System, prometheus: str
) -> None:
    async with httpx.AsyncClient(base_url=prometheus, timeout=10, trust_env=False) as http:

        async def answers() -> bool:
            try:
                return (await http.get("/-/ready")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(answers, timeout_s=60, what="Prometheus ready")

        async def every_target_up() -> bool:
            targets = (await http.get("/api/v1/targets")).json()["data"]["activeTargets"]
            return len(targets) == 2 * len(SERVICES) and all(t["health"] == "up" for t in targets)

        await eventually(every_target_up, timeout_s=60, what="every API and worker scraped")
        targets = (await http.get("/api/v1/targets")).json()["data"]["activeTargets"]
        assert {(t["labels"]["job"], t["labels"]["mentornet_service"]) for t in targets} == {
            (job, s) for job in ("mentornet-api", "mentornet-worker") for s in SERVICES
        }

        expected = {
            rule.get("alert") or rule["record"]
            for group in yaml.safe_load(RULES.read_text())["groups"]
            for rule in group["rules"]
        }

        async def every_rule_evaluated() -> bool:
            groups = (await http.get("/api/v1/rules")).json()["data"]["groups"]
            rules = [rule for group in groups for rule in group["rules"]]
            return {r["name"] for r in rules} == expected and all(
                not r["lastEvaluation"].startswith("0001-") for r in rules
            )

        await eventually(every_rule_evaluated, timeout_s=60, what="every rule evaluated once")
        groups = (await http.get("/api/v1/rules")).json()["data"]["groups"]
        evaluated = [rule for group in groups for rule in group["rules"]]
        failing = [
            (r["name"], r.get("lastError")) for r in evaluated if r["health"] != "ok" or r.get("lastError")
        ]
        assert not failing, failing

        # The workers' own gauges arrive with the scrape labels: every worker reaches the broker.
        async def every_worker_reaches_the_broker() -> bool:
            query = 'mentornet_broker_up{job="mentornet-worker"} == 1'
            found = (await http.get("/api/v1/query", params={"query": query})).json()["data"]["result"]
            return {r["metric"]["mentornet_service"] for r in found} == set(SERVICES)

        await eventually(
            every_worker_reaches_the_broker, timeout_s=60, what="mentornet_broker_up of every worker"
        )
