"""Matching's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from mentornet_common.settings import CommonSettings


class MatchingSettings(CommonSettings):
    service_name: str = "matching"
    port: int = 8003
