"""Schemathesis against every service's own OpenAPI document, on the running system: generated requests
— valid and invalid — never cause a server error, and no answer breaks the schema its operation declares."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from mentornet_devkit.demo import PASSWORD

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="session")
def caller(system: System) -> dict[str, str]:
    """A member and org admin of a fresh org (not a mentor: generated profiles stay out of the directory)."""
    tag = secrets.token_hex(3)
    with httpx.Client(timeout=15) as http:

        def token(email: str, password: str) -> str:
            form = {"grant_type": "password", "username": email, "password": password}
            return str(http.post(f"{system.urls.identity}/v1/token", data=form).json()["access_token"])

        ops = {"Authorization": f"Bearer {token(*OPERATOR)}"}
        body = {"slug": f"fuzz-{tag}", "name": "Fuzz", "email_domains": [f"fuzz-{tag}.example"]}
        org = http.post(f"{system.urls.identity}/v1/orgs", json=body, headers=ops)
        email = f"fuzz@fuzz-{tag}.example"
        made = http.post(
            f"{system.urls.identity}/v1/orgs/{org.json()['id']}/users",
            json={"email": email, "name": "Fuzz", "password": PASSWORD, "roles": ["member", "org_admin"]},
            headers=ops,
        )
        assert made.status_code == 201, made.text
        return {"Authorization": f"Bearer {token(email, PASSWORD)}"}


@pytest.mark.parametrize("service", ["identity", "profiles", "matching", "sessions", "feedback", "streams"])
def test_every_service_keeps_its_own_promises(system: System, caller: dict[str, str], service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{getattr(system.urls, service)}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    calls: list[int] = []
    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy())
        def keeps_its_promise(case: Any) -> None:
            response = case.call_and_validate(headers=caller, checks=CHECKS)
            calls.append(response.status_code)

        keeps_its_promise()
    # The generated requests reached the routes, not just the door: most got past authentication.
    assert len(calls) >= 5 * len(operations)
    assert sum(1 for code in calls if code != 401) > 0.9 * len(calls)
