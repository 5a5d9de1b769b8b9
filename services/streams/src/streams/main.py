"""Streams' API process: ``python -m streams.main``."""

from __future__ import annotations

from fastapi import FastAPI

from mentornet_common.auth import KeySource
from mentornet_common.http import runtime_lifespan, serve, service_app
from mentornet_common.operations import operations_router
from streams.api import events_router, webhook_deliveries, webhooks_router
from streams.config import StreamsSettings
from streams.handlers import HANDLERS


def create_app(settings: StreamsSettings | None = None, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or StreamsSettings()
    return service_app(
        settings,
        title="mentornet streams",
        description="Each member org's events for its partners: a pull feed and signed webhooks.",
        lifespan=runtime_lifespan(settings, "streams", key_source),
        routers=[events_router, webhooks_router, operations_router("streams", HANDLERS)],
        webhooks=webhook_deliveries,
    )


def main() -> None:
    settings = StreamsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
