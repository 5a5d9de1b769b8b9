"""Events the common tests send."""

from __future__ import annotations

from datetime import UTC, datetime

from mentornet_common.contracts import AskCreated


def ask_created(ask_id: str, skills: list[str] | None = None) -> AskCreated:
    return AskCreated(
        ask_id=ask_id,
        mentee_id="usr_1",
        mentee_org_id="org_a",
        skills=skills or ["negotiation"],
        duration_minutes=30,
        scope="consortium",
        created_at=datetime.now(UTC),
    )
