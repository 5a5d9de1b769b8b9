"""Sessions' settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field

from mentornet_common.settings import CommonSettings


class SessionsSettings(CommonSettings):
    service_name: str = "sessions"
    port: int = 8004
    max_schedule_ahead_days: int = Field(default=90, ge=1, description="How far ahead a session may start.")
