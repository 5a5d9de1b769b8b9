from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from matching.main import create_app
from mentornet_common.contracts import MentorCard, MentorPublished, PersonCard, ProfileShared, Skill
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import ServiceUnderTest, deliver, service_under_test


class Matching(ServiceUnderTest):
    def as_user(self, user_id: str, org_id: str) -> dict[str, str]:
        return self.tokens.headers(user_id, org_id, ["member"])

    async def publish_mentor(
        self,
        mentor_id: str,
        org_id: str,
        scope: str = "consortium",
        capacity: int = 4,
        card: dict[str, Any] | None = None,
        **skills: int,
    ) -> None:
        card = MentorCard.model_validate(
            {
                "display_name": mentor_id.title(),
                "skills": [Skill(name=name, level=level) for name, level in skills.items()],
                "capacity_per_month": capacity,
                "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
                **(card or {}),
            }
        )
        event = MentorPublished(
            mentor_id=mentor_id,
            org_id=org_id,
            scope=scope,
            card=card,
            published_at=datetime.now(UTC),  # type: ignore[arg-type]
        )
        await deliver(self.worker, event, org_id)

    async def share_card(self, user_id: str, org_id: str, scope: str = "consortium", **card: Any) -> None:
        event = ProfileShared(
            user_id=user_id,
            org_id=org_id,
            scope=scope,  # type: ignore[arg-type]
            card=PersonCard.model_validate(
                {
                    "display_name": user_id.title(),
                    "headline": "Engineering manager",
                    "timezone": "Asia/Tokyo",
                    **card,
                }
            ),
            shared_at=datetime.now(UTC),
        )
        await deliver(self.worker, event, org_id)

    async def ask(self, user_id: str, org_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "question": "How do I push back on a 40% price rise at renewal?",
            "background": "Our main supplier wants 40% more from January.",
            "success_criteria": "A negotiation plan I can use next week.",
            "skills": ["negotiation"],
            "duration_minutes": 30,
            "scope": "consortium",
            **overrides,
        }
        response = await self.http.post("/v1/asks", json=body, headers=self.as_user(user_id, org_id))
        assert response.status_code == 201, response.text
        return dict(response.json())


@asynccontextmanager
async def matching_with(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, **overrides: Any
) -> AsyncIterator[Matching]:
    """The API, and the worker's handlers driven directly (no consumer group: unit-speed); ``overrides``
    are settings."""
    async with service_under_test(
        MatchingSettings, create_app, HANDLERS,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
        **overrides,
    ) as service:  # fmt: skip
        yield Matching(**vars(service))


@pytest.fixture
async def matching(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Matching]:
    async with matching_with(broker, store_backend, topic_prefix) as service:
        yield service
