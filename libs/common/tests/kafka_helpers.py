"""Events the common tests send."""

from __future__ import annotations

from datetime import UTC, datetime

from mentornet_common.contracts import AskCreated


def ask_created(ask_id: str, skills: list[str] | None = None, org: str = "org_a") -> AskCreated:
    return AskCreated(
        ask_id=ask_id,
        mentee_id="usr_1",
        mentee_org_id=org,
        skills=skills or ["negotiation"],
        duration_minutes=30,
        scope="consortium",
        created_at=datetime.now(UTC),
    )
