from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from feedback.config import FeedbackSettings
from feedback.handlers import HANDLERS
from feedback.main import create_app
from mentornet_common.contracts import SessionCompleted, SessionScheduled
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import ServiceUnderTest, deliver, service_under_test

MENTOR = ("usr_mia", "org_b")
MENTEE = ("usr_ann", "org_a")


class FeedbackService(ServiceUnderTest):
    def as_user(self, who: tuple[str, str], *roles: str) -> dict[str, str]:
        return self.tokens.headers(who[0], who[1], list(roles or ("member",)))

    def ids(
        self, session_id: str, mentor: tuple[str, str] = MENTOR, mentee: tuple[str, str] = MENTEE
    ) -> dict[str, str]:
        return {
            "session_id": session_id, "ask_id": f"ask_{session_id}", "mentor_id": mentor[0],
            "mentor_org_id": mentor[1], "mentee_id": mentee[0], "mentee_org_id": mentee[1],
        }  # fmt: skip

    async def scheduled(self, session_id: str, **who: Any) -> None:
        now = datetime.now(UTC)
        event = SessionScheduled(
            **self.ids(session_id, **who),
            proposal_id="prp_1",
            start_at=now,
            duration_minutes=30,
            scheduled_at=now,
        )
        await deliver(self.worker, event, MENTEE[1])

    async def completed(self, session_id: str, **who: Any) -> None:
        await self.scheduled(session_id, **who)
        event = SessionCompleted(
            **self.ids(session_id, **who), completed_by=MENTOR[0], completed_at=datetime.now(UTC)
        )
        await deliver(self.worker, event, MENTEE[1])

    async def give(self, who: tuple[str, str], session_id: str, **overrides: Any) -> httpx.Response:
        body = {
            "session_id": session_id,
            "rating": 5,
            "resolved": "yes",
            "learned": "anchor high",
            "comment": "",
            **overrides,
        }
        return await self.http.post("/v1/feedback", json=body, headers=self.as_user(who))


@pytest.fixture
async def feedback(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[FeedbackService]:
    async with service_under_test(
        FeedbackSettings, create_app, HANDLERS,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield FeedbackService(**vars(service))
