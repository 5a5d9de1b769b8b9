"""Feedback's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from mentornet_common.settings import CommonSettings


class FeedbackSettings(CommonSettings):
    service_name: str = "feedback"
    port: int = 8005
