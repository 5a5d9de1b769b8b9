"""Feedback' API process: ``python -m feedback.main``."""

from __future__ import annotations

from fastapi import FastAPI

from feedback.api import me_router, router
from feedback.config import FeedbackSettings
from feedback.handlers import HANDLERS
from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, serve, service_app
from mentornet_common.operations import operations_router


def create_app(settings: FeedbackSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or FeedbackSettings()
    return service_app(
        settings,
        title="mentornet feedback",
        description="Feedback on sessions, and the impact members and the consortium see.",
        lifespan=runtime_lifespan(settings, "feedback", key_source),
        routers=[router, me_router, operations_router("feedback", HANDLERS)],
    )


def main() -> None:
    settings = FeedbackSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
