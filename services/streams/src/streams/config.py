"""Streams' settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr, field_validator

from mentornet_common.egress import Egress
from mentornet_common.sealing import Seal
from mentornet_common.settings import CommonSettings


class StreamsSettings(CommonSettings):
    service_name: str = "streams"
    port: int = 8006
    key_encryption_secret: SecretStr = Field(
        default=SecretStr("dev-only-change-me"),
        description="Seals webhook secrets at rest (a process outside development refuses the default).",
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="How long a partner's endpoint may take."
    )
    delivery_interval_s: float = Field(
        default=1.0, gt=0, description="How often the worker sends due deliveries."
    )
    endpoint_look_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="How often the worker looks in every org's store for webhook endpoints; in between it "
        "sends only for the orgs that had one (an org's first endpoint waits up to this long more).",
    )
    feed_max_wait_s: float = Field(default=30.0, ge=0, description="The longest a pull-feed request waits.")
    feed_waiting_per_caller: int = Field(
        default=4, ge=1, description="Long-polls one caller may have waiting at once, per replica."
    )
    feed_waiting_overall: int = Field(
        default=200, ge=1, description="Long-polls waiting at once, per replica."
    )
    webhook_concurrency: int = Field(
        default=32, ge=1, description="Deliveries in flight at once, per worker."
    )
    webhook_concurrency_per_org: int = Field(
        default=4,
        ge=1,
        description="Of them, for one org: a slow partner holds back only its own deliveries.",
    )
    partner_event_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="The feed keeps an org's events this long (a cursor older than that "
        "resumes at the oldest kept).",
    )
    delivery_log_retention_days: float = Field(
        default=30.0, gt=0, description="Finished webhook deliveries stay in the delivery log this long."
    )
    webhook_allowed_networks: list[str] = Field(
        default=[],
        description="JSON list of CIDRs webhooks may reach although they are not public (a private "
        "deployment, the embedded default's loopback): by default only public addresses.",
    )

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad one
        return value

    def egress(self) -> Egress:
        return Egress(self.webhook_allowed_networks)

    def seal(self) -> Seal:
        return Seal(self.key_encryption_secret.get_secret_value(), "mentornet-webhook-secrets")
