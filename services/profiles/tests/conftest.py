from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mentornet_common.runtime import Runtime
from mentornet_devkit.broker import Broker
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.testing import running_service
from mentornet_devkit.tokens import TokenFactory
from profiles.config import ProfilesSettings
from profiles.handlers import HANDLERS
from profiles.main import create_app


@dataclass
class Profiles:
    http: httpx.AsyncClient
    runtime: Runtime
    tokens: TokenFactory

    def as_user(
        self, user_id: str, org_id: str, roles: tuple[str, ...] = ("member", "mentor")
    ) -> dict[str, str]:
        return self.tokens.headers(user_id, org_id, list(roles))


@asynccontextmanager
async def profiles_service(
    broker: Broker, backend: dict[str, Any], topic_prefix: str, with_worker: bool
) -> AsyncIterator[Profiles]:
    settings = isolated_settings(
        ProfilesSettings, backend, topic_prefix=topic_prefix, kafka_bootstrap_servers=broker.bootstrap_servers
    )
    tokens = TokenFactory(settings)
    handlers = HANDLERS if with_worker else None
    async with running_service(create_app(settings, key_source=tokens), handlers, "profiles") as (
        http,
        runtime,
    ):
        yield Profiles(http, runtime, tokens)


@pytest.fixture
async def profiles(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Profiles]:
    """The API alone."""
    async with profiles_service(broker, store_backend, topic_prefix, with_worker=False) as running:
        yield running


@pytest.fixture
async def profiles_and_worker(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Profiles]:
    """The API and its consumer group, against the real broker."""
    async with profiles_service(broker, store_backend, topic_prefix, with_worker=True) as running:
        yield running


def mentor_profile(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": "Mia Chen",
        "headline": "Procurement lead",
        "bio": "Twelve years of supplier negotiations.",
        "skills": [{"name": "negotiation", "level": 5}, {"name": "procurement", "level": 4}],
        "languages": ["en", "de"],
        "timezone": "Europe/Berlin",
        "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
        "mentoring": {"active": True, "capacity_per_month": 4, "open_to_reverse": True},
        "visibility": "consortium",
    }
    body.update(overrides)
    return body
