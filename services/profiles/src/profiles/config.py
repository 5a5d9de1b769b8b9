"""Profiles' settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field

from mentornet_common.settings import CommonSettings


class ProfilesSettings(CommonSettings):
    service_name: str = "profiles"
    port: int = 8002
    min_group_size: int = Field(
        default=5,
        ge=2,
        description="k: participation by self-identified group is shown only for groups in which at least "
        "this many people took part in the quarter.",
    )
