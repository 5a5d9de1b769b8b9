from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from identity.config import IdentitySettings
from identity.main import create_app
from mentornet_devkit.broker import Broker
from mentornet_devkit.pytest_plugin import isolated_settings

OPERATOR = ("ops@consortium.example", "operator-password-1")
PASSWORD = "a long enough password"


@dataclass
class Api:
    """A portal's view of identity, with the calls the tests repeat."""

    http: httpx.AsyncClient
    settings: IdentitySettings
    app: Any

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        response = await self.http.post(
            "/v1/token", data={"grant_type": "password", "username": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def operator(self) -> dict[str, str]:
        return await self.login(*OPERATOR)

    async def org(self, slug: str, domains: list[str] | None = None) -> str:
        """A new org holding ``{slug}.example`` (or ``domains``) as its email domains."""
        body = {"slug": slug, "name": slug.title(), "email_domains": domains or [f"{slug}.example"]}
        response = await self.http.post("/v1/orgs", json=body, headers=await self.operator())
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def user(self, org_id: str, email: str, roles: list[str], as_: dict[str, str] | None = None) -> str:
        response = await self.http.post(
            f"/v1/orgs/{org_id}/users",
            json={"email": email, "name": email.split("@")[0].title(), "password": PASSWORD, "roles": roles},
            headers=as_ or await self.operator(),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def login_as_new(self, org_id: str, email: str, roles: list[str]) -> dict[str, str]:
        await self.user(org_id, email, roles)
        return await self.login(email)


def identity_settings(backend: dict[str, Any], **overrides: Any) -> IdentitySettings:
    return isolated_settings(
        IdentitySettings, backend, operator_email=OPERATOR[0], operator_password=OPERATOR[1], **overrides
    )


@pytest.fixture
async def api(broker: Broker, store_backend: dict[str, Any], topic_prefix: str) -> AsyncIterator[Api]:
    settings = identity_settings(
        store_backend, topic_prefix=topic_prefix, kafka_bootstrap_servers=broker.bootstrap_servers
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            yield Api(http, settings, app)
