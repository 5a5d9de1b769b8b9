"""Streams' tables and API shapes, all in each member org's own store.

``partner_event``: the org's events as its partners may see them (minimized), numbered in the order they
arrived — the number is the feed's cursor. ``webhook_endpoint`` and ``webhook_delivery``: where the org's
partners want events pushed, and every attempt to push one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import JSON, Column, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from streams.partner import EventOut

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class PartnerEvent(SQLModel, table=True):
    __tablename__ = "partner_event"

    seq: int | None = SQLField(default=None, primary_key=True)
    event_id: str = SQLField(max_length=64, unique=True)
    ce_type: str = SQLField(max_length=200, index=True)
    topic: str = SQLField(max_length=200)
    subject: str = SQLField(max_length=200)
    time: datetime
    data: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    received_at: datetime = SQLField(index=True)  # the purge's question


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: str = SQLField(primary_key=True, max_length=48)
    url: str = SQLField(max_length=2000)
    event_types: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    secret: str = SQLField(
        max_length=500, description="whsec_…, sealed with the key-encryption secret: signs every delivery."
    )
    enabled: bool = True
    disabled_reason: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    cursor: int = SQLField(default=0, description="The last partner event queued for this endpoint.")
    created_by: str = SQLField(max_length=100)
    created_at: datetime


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"

    id: str = SQLField(primary_key=True, max_length=48)
    endpoint_id: str = SQLField(max_length=48, index=True)
    seq: int
    event_id: str = SQLField(max_length=64)
    status: str = SQLField(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = SQLField(default=None, index=True)
    last_status_code: int | None = None
    last_error: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = SQLField(index=True)  # the purge's question
    delivered_at: datetime | None = None


# API shapes ----------------------------------------------------------------------------------------------


class EventPage(BaseModel):
    items: list[EventOut] = Field(description="Oldest first; each item's `type` says what its `data` is.")
    next_cursor: str = Field(description="Send it as ?after= to continue; it is the last cursor you saw.")


EventType = Annotated[str, StringConstraints(pattern=r"^(\*|mentornet\.[a-z-]+\.v\d+)$")]


class WebhookIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://hr.example.com/hooks/mentornet", "event_types": ["*"]},
                {
                    "url": "https://lms.example.com/mentornet/events",
                    "event_types": ["mentornet.session-completed.v1", "mentornet.feedback-submitted.v1"],
                },
            ]
        },
    )

    url: AnyHttpUrl
    event_types: list[EventType] = Field(
        default=["*"], min_length=1, max_length=50, description="ce_types to receive, or * for all."
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls.model_validate(endpoint.model_dump())


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown once: verify each delivery's webhook-signature with it.")


class WebhookList(BaseModel):
    items: list[WebhookOut]
    next_offset: int | None


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    cursor: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls.model_validate({**delivery.model_dump(), "cursor": str(delivery.seq)})


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_offset: int | None
