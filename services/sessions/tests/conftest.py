from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from mentornet_common.contracts import MatchProposed, PersonCard, model_for
from mentornet_common.envelope import Envelope
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import (
    ServiceUnderTest,
    deliver,
    outbox_events,
    redeliver,
    service_under_test,
)
from sessions.config import SessionsSettings
from sessions.handlers import HANDLERS
from sessions.main import create_app

MENTOR = ("usr_mia", "org_b")
MENTEE = ("usr_ann", "org_a")


class Sessions(ServiceUnderTest):
    def as_user(self, who: tuple[str, str]) -> dict[str, str]:
        return self.tokens.headers(who[0], who[1], ["member", "mentor"])

    async def offer(self, mentor: tuple[str, str] = MENTOR, mentee: tuple[str, str] = MENTEE) -> str:
        event = proposed(mentor, mentee)
        await deliver(self.worker, event, mentee[1])
        return f"ses_{event.proposal_id.removeprefix('prp_')}"

    async def mirror_last_event(self, org_id: str) -> None:
        """Deliver the newest event a store wrote back to the handlers, as the broker would."""
        ce_type, payload = (await outbox_events(self.runtime, org_id))[-1]
        await redeliver(self.worker, Envelope.new(model_for(ce_type).model_validate(payload), MENTEE[1]))

    async def post(
        self, who: tuple[str, str], path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.http.post(f"/v1/sessions/{path}", json=body or {}, headers=self.as_user(who))

    async def get(self, who: tuple[str, str], session_id: str) -> httpx.Response:
        return await self.http.get(f"/v1/sessions/{session_id}", headers=self.as_user(who))


_counter = iter(range(10_000_000))


def proposed(mentor: tuple[str, str] = MENTOR, mentee: tuple[str, str] = MENTEE) -> MatchProposed:
    return MatchProposed(
        proposal_id=f"prp_{next(_counter):016x}",
        ask_id="ask_1",
        mentee_id=mentee[0],
        mentee_org_id=mentee[1],
        mentor_id=mentor[0],
        mentor_org_id=mentor[1],
        score=0.8,
        reasons=["covers 1 of the 1 skills asked for: negotiation (level 5/5)"],
        question="How do I push back on a 40% price rise at renewal?",
        background="Our main supplier wants 40% more from January.",
        success_criteria="A negotiation plan I can use next week.",
        skills=["negotiation"],
        duration_minutes=30,
        proposed_at=datetime.now(UTC),
        mentee_card=PersonCard(display_name="Ann", headline="Engineering manager", timezone="Asia/Tokyo"),
    )


@pytest.fixture
async def sessions(store_backend: dict[str, Any], topic_prefix: str) -> AsyncIterator[Sessions]:
    """The API, and the worker's handlers driven directly, without a broker: what the service publishes is
    read from its stores' outboxes (the outbox relay is in memory, mentornet_devkit.fakes)."""
    async with service_under_test(
        SessionsSettings, create_app, HANDLERS,
        bootstrap_servers=None, backend=store_backend, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield Sessions(**vars(service))


@pytest.fixture
async def sessions_on_broker(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Sessions]:
    """The same on the real broker, for the tests of what goes through it."""
    async with service_under_test(
        SessionsSettings, create_app, HANDLERS,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield Sessions(**vars(service))
