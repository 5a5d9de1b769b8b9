"""Matching's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field

from mentornet_common.settings import CommonSettings


class MatchingSettings(CommonSettings):
    service_name: str = "matching"
    port: int = 8003
    proposal_ttl_s: float = Field(
        default=48 * 3600,
        gt=0,
        description="How long a mentor has to answer an offer before it lapses and the next is asked.",
    )
    retrieval_k: int = Field(
        default=50, ge=1, le=1000, description="How many of the closest cards each ranking looks at first."
    )
    directory_refresh_s: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="How often ranking reads the directory's changes at most: a card published or changed "
        "through another worker replica may be proposed this much later (0: before every ranking).",
    )
