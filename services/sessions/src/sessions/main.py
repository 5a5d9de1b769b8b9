"""Sessions' API process: ``python -m sessions.main``."""

from __future__ import annotations

from fastapi import FastAPI

from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, serve, service_app
from mentornet_common.operations import operations_router
from sessions.api import me_router, router
from sessions.config import SessionsSettings
from sessions.handlers import HANDLERS


def create_app(settings: SessionsSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or SessionsSettings()
    return service_app(
        settings,
        title="mentornet sessions",
        description="Offers to mentors, scheduled sessions, and their lifecycle.",
        lifespan=runtime_lifespan(settings, "sessions", key_source),
        routers=[router, me_router, operations_router("sessions", HANDLERS)],
    )


def main() -> None:
    settings = SessionsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
