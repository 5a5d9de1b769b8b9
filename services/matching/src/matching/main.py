"""Matching' API process: ``python -m matching.main``."""

from __future__ import annotations

from fastapi import FastAPI

from matching.api import figures_router, me_router, mentors_router, router, suggestions_router
from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, serve, service_app
from mentornet_common.operations import operations_router


def create_app(settings: MatchingSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    return service_app(
        settings,
        title="mentornet matching",
        description="Asks, the federated mentor directory, and proposals.",
        lifespan=runtime_lifespan(settings, "matching", key_source),
        routers=[
            router,
            mentors_router,
            suggestions_router,
            figures_router,
            me_router,
            operations_router("matching", HANDLERS),
        ],
    )


def main() -> None:
    settings = MatchingSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
