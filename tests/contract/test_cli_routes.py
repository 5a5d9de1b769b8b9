"""The `mentornet` command's API mode asks only what the gateway and the Ingress really route.

Every command of the API mode runs against a stand-in gateway (an httpx transport) that routes each request
as deploy/docker/nginx.conf does, and as the Ingress of deploy/k8s/base/edge.yaml does, to the service its
longest matching location names; the request must then be one of that service's OpenAPI operations. (The
e2e tests run the same commands against the running services.)
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from mentornet_ops import cli, remote
from rich.console import Console
from typer.testing import CliRunner

from mentornet_devkit.apps import build_app

from .test_deploy import SERVICES, nginx_routes, routed_to

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://mentornet.example.org"
REF = "mentornet.dlq.matching:0:7"
LETTER = {
    "ref": REF, "topic": "mentornet.dlq.matching", "partition": 0, "offset": 7,
    "original_topic": "mentornet.asks",
    "type": "mentornet.ask-created.v1", "tenant": "org_1", "group": "matching", "handler": "propose",
    "reason": "handler", "error": "boom", "failed_at": "2026-12-06T08:00:00+00:00", "redrives": 0,
}  # fmt: skip


USER = {"id": "usr_1", "org_id": "org_1", "email": "ann@acme.example", "name": "Ann", "roles": ["member"],
        "active": True}  # fmt: skip
HOOK = {"id": "whk_1", "url": "https://hr.acme.example/hooks", "event_types": ["*"], "enabled": True,
        "disabled_reason": None}  # fmt: skip


def ingress_routes() -> dict[str, str]:
    documents = yaml.safe_load_all((ROOT / "deploy/k8s/base/edge.yaml").read_text())
    ingress = next(
        d for d in documents if d and d["kind"] == "Ingress" and d["metadata"]["name"] == "mentornet"
    )
    return {
        path["path"]: path["backend"]["service"]["name"].removesuffix("-api")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }


@cache
def operations(service: str) -> list[tuple[str, re.Pattern[str]]]:
    """(method, path pattern) of every operation in a service's OpenAPI document."""
    found = []
    for path, item in build_app(service).openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        found += [(method.upper(), pattern) for method in item]
    return found


def answer(method: str, path: str) -> Any:
    """What the service would answer, enough for the command to print it."""
    if path == "/v1/token":
        return {"access_token": "a token", "token_type": "Bearer"}
    if path == "/v1/operations/health":
        return {
            "status": "ready",
            "services": [{"service": s, "status": "ready", "checks": {"store": "ok"}} for s in SERVICES],
        }
    if path.startswith("/v1/operations/") and not path.startswith("/v1/operations/identity/users"):
        service, rest = path.removeprefix("/v1/operations/").split("/", 1)
        lists: dict[str, list[dict[str, Any]]] = {
            "stores": [{"tenant": "org_1", "backend": "sqlite", "size_bytes": 4096}],
            "outbox": [
                {
                    "tenant": "consortium",
                    "unsent": 1,
                    "oldest_unsent_at": "2026-12-06T08:00:00+00:00",
                    "oldest_age_s": 2.5,
                }
            ],
            "lag": [
                {
                    "group": service,
                    "topic": "mentornet.asks",
                    "partition": 0,
                    "committed": 1,
                    "end": 3,
                    "lag": 2,
                }
            ],
            "dead-letters": [LETTER] if service == "matching" else [],
        }
        if rest in lists:
            return {"service": service, "unsent": 1, "items": lists[rest], "next_offset": None}
        if method == "POST":
            return {"service": service, "count": 1, "refs": [REF]}
        return {
            **LETTER,
            "key": "ask_1",
            "headers": {"dlq_reason": "handler"},
            "payload": {"a": 1},
            "text": "{}",
        }
    if path == "/v1/orgs":
        return {"items": [answer("GET", "/v1/orgs/org_1")], "next_offset": None}
    if path == "/v1/orgs/org_1":
        return {"id": "org_1", "slug": "acme", "name": "Acme", "email_domains": ["acme.example"]}
    if path == "/v1/orgs/org_1/settings":
        return {"org_id": "org_1", "email_domains": ["acme.example"], "group_roles": {}}
    if path in ("/v1/orgs/org_1/suspend", "/v1/orgs/org_1/resume"):
        return {**answer("GET", "/v1/orgs/org_1"), "suspended_at": None}
    if path == "/v1/operations/identity/users":
        return {"items": [USER], "next_offset": None}
    if path.startswith("/v1/orgs/org_1/users/usr_1/"):
        return {**USER, "active": path.endswith("/activate")}
    if path == "/v1/webhooks":
        return {"items": [HOOK], "next_offset": None}
    if path == "/v1/webhooks/whk_1/disable":
        return {**HOOK, "enabled": False, "disabled_reason": "disabled by a consortium operator"}
    if path == "/v1/signing-keys":
        return [{"kid": "k1", "created_at": "2026-12-06T08:00:00+00:00", "retired_at": None}]
    if path == "/v1/signing-keys/rotate":
        return {"kid": "k2", "created_at": "2026-12-06T08:00:00+00:00", "retired_at": None}
    raise AssertionError(f"the stand-in knows no answer to {method} {path}")


COMMANDS = [
    ["health"],
    ["lag"],
    ["outbox"],
    ["dlq", "list"],
    ["dlq", "show", REF],
    ["dlq", "replay", REF],
    ["dlq", "replay", "--all"],
    ["dlq", "drop", REF],
    ["orgs", "list"],
    ["orgs", "show", "org_1"],
    ["keys", "list"],
    ["keys", "rotate"],
    ["orgs", "suspend", "org_1"],
    ["orgs", "resume", "org_1"],
    ["users", "find", "ann@acme.example"],
    ["users", "deactivate", "ann@acme.example"],
    ["users", "activate", "ann@acme.example"],
    ["webhooks", "list", "org_1"],
    ["webhooks", "disable", "org_1", "whk_1"],
]


@pytest.mark.parametrize("edge", ["gateway", "ingress"])
def test_every_request_of_the_api_mode_is_routed_to_a_service_that_serves_it(
    edge: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = nginx_routes() if edge == "gateway" else ingress_routes()
    asked: list[tuple[str, str, str]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "mentornet.example.org"
        path = request.url.path
        upstream = routed_to(routes, path)
        assert upstream in SERVICES, f"the {edge} routes {path} nowhere"
        served = any(m == request.method and p.match(path) for m, p in operations(upstream))
        assert served, f"the {edge} sends {request.method} {path} to {upstream}, which does not serve it"
        if path.startswith("/v1/operations/") and path != "/v1/operations/health":
            assert path.split("/")[3] == upstream, f"{path} reached {upstream}"
        asked.append((request.method, path, upstream))
        return httpx.Response(200, json=answer(request.method, path))

    def stand_in(base_url: str | None, console: Console) -> remote.OperatorApi:
        return remote.OperatorApi(base_url, http=httpx.Client(transport=httpx.MockTransport(gateway)))

    for name in [f"MENTORNET_{s.upper()}_URL" for s in SERVICES] + ["MENTORNET_OPERATOR_TOKEN"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MENTORNET_OPERATOR_EMAIL", "ops@consortium.example")
    monkeypatch.setenv("MENTORNET_OPERATOR_PASSWORD", "a password")
    monkeypatch.setattr(remote, "open_api", stand_in)  # every command reaches the API through remote.with_api
    for command in COMMANDS:
        result = CliRunner().invoke(cli.app, [*command, "--base-url", BASE])
        assert result.exit_code == 0, (command, result.output)
    # every service was asked, through the edge, for what only it can answer
    assert {upstream for _, path, upstream in asked if path.startswith("/v1/operations/")} == set(SERVICES)
    assert ("POST", f"/v1/operations/matching/dead-letters/{REF}/replay", "matching") in asked
    assert ("POST", f"/v1/operations/matching/dead-letters/{REF}/drop", "matching") in asked
