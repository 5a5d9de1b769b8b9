"""One rule for a caller the route is not for: every route for people of member orgs answers a caller who
belongs to no org (a consortium operator, or an account without one) 403 with problem+json — never 404,
never another org's store, never 500."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mentornet_devkit.apps import settings_class
from mentornet_devkit.tokens import TokenFactory

from .test_access import routes

SERVICES = ("profiles", "matching", "sessions", "feedback", "streams")
FOR_PEOPLE = [
    (service, method, path)
    for service, method, path, access in routes()
    if service in SERVICES and access is not None and access.who == "a person of a member org"
]
ORGLESS = {"operator": ["operator"], "an account of no org": []}


def _settings(service: str, data_dir: Path) -> Any:
    return settings_class(service)(
        data_dir=data_dir, kafka_bootstrap_servers="127.0.0.1:9"
    )  # no event is published


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[TestClient, TokenFactory]]]:
    running: dict[str, tuple[TestClient, TokenFactory]] = {}
    for service in SERVICES:
        settings = _settings(service, tmp_path_factory.mktemp(service))
        tokens = TokenFactory(settings)
        app: FastAPI = importlib.import_module(f"{service}.main").create_app(settings, tokens)
        client = TestClient(app)
        client.__enter__()
        running[service] = (client, tokens)
    yield running
    for client, _ in running.values():
        client.__exit__(None, None, None)


def test_every_service_with_routes_for_people_is_probed() -> None:
    # streams' routes are for an org's admin or API client; identity's people routes are its own tests'
    assert {service for service, _, _ in FOR_PEOPLE} == {"profiles", "matching", "sessions", "feedback"}
    assert len(FOR_PEOPLE) >= 25


@pytest.mark.parametrize("who", sorted(ORGLESS))
@pytest.mark.parametrize(
    ("service", "method", "path"), FOR_PEOPLE, ids=[f"{s} {m} {p}" for s, m, p in FOR_PEOPLE]
)
def test_a_caller_of_no_org_is_refused_with_403(
    apps: dict[str, tuple[TestClient, TokenFactory]], service: str, method: str, path: str, who: str
) -> None:
    client, tokens = apps[service]
    url = re.sub(r"\{[^}]+\}", "x_0123456789abcdef", path)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    answer = client.request(method, url, headers=tokens.headers("usr_orgless", None, ORGLESS[who]), json=body)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 403
