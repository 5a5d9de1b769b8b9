"""`make run` as a newcomer meets it: log in, register two orgs and their people, see the events."""

from __future__ import annotations

import json

import httpx
import pytest
from mentornet_ops import cli
from rich.console import Console
from typer.testing import CliRunner

from mentornet_devkit.testing import eventually, header, read_all

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e


async def test_every_service_is_ready(system: System) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        for url in vars(system.urls).values():
            ready = await http.get(f"{url}/readyz")
            assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}, url


async def test_a_newcomer_registers_two_orgs_and_sees_the_events(system: System) -> None:
    async with httpx.AsyncClient(base_url=system.urls.identity, timeout=10) as http:
        token = await http.post(
            "/v1/token", data={"grant_type": "password", "username": OPERATOR[0], "password": OPERATOR[1]}
        )
        operator = {"Authorization": f"Bearer {token.json()['access_token']}"}
        orgs = {}
        for slug in ("initech", "umbrella"):
            response = await http.post(
                "/v1/orgs",
                json={"slug": slug, "name": slug.title(), "email_domains": [f"{slug}.example"]},
                headers=operator,
            )
            assert response.status_code == 201
            orgs[slug] = response.json()["id"]
            user = await http.post(
                f"/v1/orgs/{orgs[slug]}/users",
                json={"email": f"admin@{slug}.example", "name": "Admin", "password": "a long password"},
                headers=operator,
            )
            assert user.status_code == 201

    expected = {org: ["mentornet.org-registered.v1", "mentornet.user-registered.v1"] for org in orgs.values()}
    by_tenant: dict[str, list[str]] = {}

    async def all_four_published() -> bool:
        by_tenant.clear()
        for record in await read_all(system.bootstrap, "mentornet.identity", expect=4, timeout_s=5):
            tenant = header(record, "ce_tenantid") or ""
            if tenant in orgs.values():
                by_tenant.setdefault(tenant, []).append(header(record, "ce_type") or "")
                assert json.loads(record.value)
        return {tenant: sorted(types) for tenant, types in by_tenant.items()} == expected

    await eventually(all_four_published, timeout_s=30, what="both orgs' registrations on the broker")


def test_the_operators_health_command_sees_every_service_ready(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    for service, url in vars(system.urls).items():
        monkeypatch.setenv(f"MENTORNET_{service.upper()}_URL", url)
    monkeypatch.setattr(cli, "console", Console(width=300))
    result = CliRunner().invoke(cli.app, ["health"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ready") == len(vars(system.urls))
    assert "store: ok, broker: ok" in result.output

    monkeypatch.setenv("MENTORNET_FEEDBACK_URL", "http://127.0.0.1:9")  # nothing listens there
    down = CliRunner().invoke(cli.app, ["health"])
    assert down.exit_code == 1
    assert "unreachable" in down.output
