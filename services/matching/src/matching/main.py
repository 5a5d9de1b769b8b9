"""Matching' API process: ``python -m matching.main``."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from matching.api import figures_router, me_router, mentors_router, router, suggestions_router
from matching.config import MatchingSettings
from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, service_app


def create_app(settings: MatchingSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    return service_app(
        settings,
        title="mentornet matching",
        description="Asks, the federated mentor directory, and proposals.",
        lifespan=runtime_lifespan(settings, "matching", key_source),
        routers=[router, mentors_router, suggestions_router, figures_router, me_router],
    )


def main() -> None:
    settings = MatchingSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
