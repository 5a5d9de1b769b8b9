"""Profiles' API process: ``python -m profiles.main``."""

from __future__ import annotations

from fastapi import FastAPI

from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, serve, service_app
from mentornet_common.operations import operations_router
from profiles.api import me_router, participation_router, router
from profiles.config import ProfilesSettings
from profiles.handlers import HANDLERS


def create_app(settings: ProfilesSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or ProfilesSettings()
    return service_app(
        settings,
        title="mentornet profiles",
        description="People's skills, availability, time zone, languages and visibility.",
        lifespan=runtime_lifespan(settings, "profiles", key_source),
        routers=[router, participation_router, me_router, operations_router("profiles", HANDLERS)],
    )


def main() -> None:
    settings = ProfilesSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
