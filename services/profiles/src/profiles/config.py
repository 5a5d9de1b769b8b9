"""Profiles' settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from mentornet_common.settings import CommonSettings


class ProfilesSettings(CommonSettings):
    service_name: str = "profiles"
    port: int = 8002
