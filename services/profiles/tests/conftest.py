from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import ServiceUnderTest, service_under_test
from profiles.config import ProfilesSettings
from profiles.handlers import HANDLERS
from profiles.main import create_app


class Profiles(ServiceUnderTest):
    def as_user(
        self, user_id: str, org_id: str, roles: tuple[str, ...] = ("member", "mentor")
    ) -> dict[str, str]:
        return self.tokens.headers(user_id, org_id, list(roles))


@pytest.fixture
async def profiles(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Profiles]:
    """The API alone."""
    async with service_under_test(
        ProfilesSettings, create_app, HANDLERS,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield Profiles(**vars(service))


@pytest.fixture
async def profiles_and_worker(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Profiles]:
    """The API and its consumer group, against the real broker."""
    async with service_under_test(
        ProfilesSettings, create_app, HANDLERS, run_worker=True,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield Profiles(**vars(service))


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
