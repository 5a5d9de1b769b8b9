"""Sessions' tables and API shapes.

A session has two sides. Each participant's org keeps its own copy in its own store (one copy when both
are in the same org): the mentor's org holds what the mentee shared to ask for help, the mentee's org
holds its own ask's session. An action is taken on the actor's copy; the event it publishes brings the
other copy to the same state. See docs/adr/0006-what-crosses-tenants.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from mentornet_common.contracts import PersonCard, TimeRange

SessionStatus = Literal["proposed", "scheduled", "declined", "expired", "completed", "cancelled", "no_show"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]

# Which status may follow which; anything else is a conflict (409).
TRANSITIONS: dict[str, set[str]] = {
    "proposed": {"scheduled", "declined", "expired"},
    "scheduled": {"completed", "cancelled", "no_show"},
    "declined": set(),
    "expired": set(),
    "completed": set(),
    "cancelled": set(),
    "no_show": set(),
}


class Session(SQLModel, table=True):
    # The expiry timer's question, every few seconds in every store: the mentor's org's offers still open.
    __table_args__ = (Index("ix_session_offer_expiry", "status", "mentor_org_id", "expires_at"),)

    id: str = SQLField(primary_key=True, max_length=48)
    proposal_id: str = SQLField(max_length=48)
    ask_id: str = SQLField(max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)
    mentor_org_id: str = SQLField(max_length=48)
    mentee_id: str = SQLField(max_length=48, index=True)
    mentee_org_id: str = SQLField(max_length=48)
    status: str = SQLField(default="proposed", max_length=16)
    question: str = SQLField(sa_column=Column(Text, nullable=False))
    background: str = SQLField(sa_column=Column(Text, nullable=False))
    success_criteria: str = SQLField(sa_column=Column(Text, nullable=False))
    skills: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    duration_minutes: int
    score: float = 0.0
    reasons: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    mentee_card: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON, nullable=True))
    start_at: datetime | None = SQLField(default=None, index=True)
    expires_at: datetime | None = SQLField(default=None, index=True)
    free_time: list[dict[str, Any]] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    slots: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    mentor_timezone: str | None = SQLField(default=None, max_length=64)
    mentee_timezone: str | None = SQLField(default=None, max_length=64)
    sequence: int = SQLField(default=0, description="iCalendar SEQUENCE: bumped on each reschedule.")
    reminded_24h_at: datetime | None = None
    reminded_1h_at: datetime | None = None
    absent_id: str | None = SQLField(default=None, max_length=48)
    reason: str | None = SQLField(default=None, max_length=1000)
    closed_by: str | None = SQLField(default=None, max_length=48)
    created_at: datetime
    updated_at: datetime


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_at: AwareDatetime


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_at: AwareDatetime
    reason: Reason = ""


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = ""


class SessionOut(BaseModel):
    id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    status: SessionStatus
    start_at: datetime | None
    expires_at: datetime | None
    free_time: list[TimeRange]
    slots: list[datetime]
    absent_id: str | None
    duration_minutes: int
    question: str
    background: str
    success_criteria: str
    skills: list[str]
    score: float
    reasons: list[str]
    mentee_card: PersonCard | None
    reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, session: Session) -> SessionOut:
        return cls.model_validate(session.model_dump())


class SessionList(BaseModel):
    items: list[SessionOut]
    next_offset: int | None


class BookedTime(SQLModel, table=True):
    """Consortium store: when each scheduled session takes its participants' time (ids and times only),
    so accepting or moving a session can refuse a clash with another session either person has."""

    __tablename__ = "booked_time"

    session_id: str = SQLField(primary_key=True, max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)
    mentee_id: str = SQLField(max_length=48, index=True)
    start_at: datetime
    end_at: datetime
