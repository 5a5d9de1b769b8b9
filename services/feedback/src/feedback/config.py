"""Feedback's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field

from mentornet_common.settings import CommonSettings


class FeedbackSettings(CommonSettings):
    service_name: str = "feedback"
    port: int = 8005
    follow_up_after_days: float = Field(
        default=14, gt=0, description="Days after a completed session when its follow-up is due."
    )
