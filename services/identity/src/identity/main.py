"""Identity's API process: ``python -m identity.main`` (or ``uvicorn identity.main:create_app --factory``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from identity import service, tokens
from identity.api import router
from identity.config import IdentitySettings
from identity.deps import StoreKeySource
from identity.directory import StoreDirectory, directory_for
from identity.scim import scim_app
from mentornet_common.auth import TokenVerifier
from mentornet_common.http import serve, service_app
from mentornet_common.migrations import alembic_migrator
from mentornet_common.operations import health_router, operations_router
from mentornet_common.revocation import RevocationFeed, RevocationList
from mentornet_common.runtime import Runtime


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    """The composition root of the API process."""
    settings = settings or IdentitySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings, alembic_migrator("identity"), sweep=False)
        await runtime.start()
        identity = service.Identity.build(settings, runtime, app.state.counters)
        await service.ensure_signing_key(identity)
        if settings.operator_email and settings.operator_password:
            await service.seed_operator(
                identity, settings.operator_email, settings.operator_password.get_secret_value()
            )
        app.state.runtime = runtime
        app.state.identity = identity
        identity.revocations = RevocationList()
        identity.verifier = app.state.verifier = TokenVerifier(
            StoreKeySource(identity),
            settings.token_issuer,
            settings.token_audience,
            revocations=identity.revocations,
        )

        async def from_store(after: int) -> list[dict[str, Any]]:
            return [r.model_dump() for r in await tokens.since(identity, after)]

        # Other replicas of identity record revocations too: this one follows the store like every service.
        feed = RevocationFeed(identity.revocations, from_store, settings.revocation_poll_s)
        await feed.start()
        try:
            yield
        finally:
            await feed.stop()
            await runtime.stop()

    app = service_app(
        settings,
        title="mentornet identity",
        description="Member orgs (tenants), users, roles, API clients, tokens, signing keys, single sign-on "
        "and SCIM provisioning (/scim/v2).",
        lifespan=lifespan,
        routers=[router, health_router("identity", settings.service_urls), operations_router("identity", {})],
    )

    async def directory(request: Request) -> StoreDirectory:
        return await directory_for(app.state.identity, request)

    app.mount("/scim/v2", scim_app(directory))
    return app


def main() -> None:
    settings = IdentitySettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
