"""Streams' settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field

from mentornet_common.settings import CommonSettings


class StreamsSettings(CommonSettings):
    service_name: str = "streams"
    port: int = 8006
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="How long a partner's endpoint may take."
    )
    delivery_interval_s: float = Field(
        default=1.0, gt=0, description="How often the worker sends due deliveries."
    )
    feed_max_wait_s: float = Field(default=30.0, ge=0, description="The longest a pull-feed request waits.")
