"""Feedback's tables and API shapes.

The author's org store: ``feedback`` (with its free text). Each participant org's store, and the
consortium store: ``session_record``, ``ask_fact`` and ``feedback_fact`` — ids, times, ratings, never text —
from which impact is computed (an org_admin's figures from their store, the operator's from the consortium's).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from mentornet_common.contracts import Resolution

FreeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
SessionId = Annotated[str, StringConstraints(min_length=1, max_length=48)]
Shareable = Literal["rating", "resolved", "preparation", "learned", "comment"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "session_id": "ses_5f2c9a1e4b7d3c08",
                    "rating": 5,
                    "resolved": "partly",
                    "learned": "Anchor on the scope of the role, not on my current salary.",
                    "comment": "Thank you for the concrete questions to ask.",
                    "share_with_other": ["rating", "comment"],
                }
            ]
        },
    )

    session_id: SessionId
    rating: int = Field(ge=1, le=5)
    resolved: Resolution
    learned: FreeText = ""
    comment: FreeText = ""
    preparation: int | None = Field(
        default=None, ge=1, le=5, description="Mentors only: how well the mentee prepared the ask (1-5)."
    )
    share_with_other: list[Shareable] = Field(
        default=[],
        max_length=5,
        description="Which answers the other participant may see; the rest reach only the aggregates.",
    )


class Feedback(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("session_id", "author_id", name="uq_feedback_once_per_author"),
        Index("ix_feedback_author_id_created_at", "author_id", "created_at"),  # one's own, newest first
    )

    id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48, index=True)
    author_id: str = SQLField(max_length=48)
    author_role: str = SQLField(max_length=8)
    rating: int
    resolved: str = SQLField(max_length=8)
    learned: str = SQLField(sa_column=Column(Text, nullable=False))
    comment: str = SQLField(sa_column=Column(Text, nullable=False))
    preparation: int | None = None
    shared: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class FeedbackOut(BaseModel):
    id: str
    session_id: str
    author_id: str
    author_role: str
    rating: int
    resolved: Resolution
    learned: str
    comment: str
    preparation: int | None = None
    shared: list[str] = []
    created_at: datetime


class FeedbackList(BaseModel):
    items: list[FeedbackOut]
    next_offset: int | None


class SessionRecord(SQLModel, table=True):
    __tablename__ = "session_record"
    # The follow-up timer's question, every few seconds in every store: the org's mentees' completed sessions
    # not yet announced (announced only in the mentee's org: the other stores' copies are never marked).
    __table_args__ = (
        Index(
            "ix_session_record_follow_up_due",
            "mentee_org_id",
            "status",
            "follow_up_due_sent_at",
            "completed_at",
        ),
    )

    session_id: str = SQLField(primary_key=True, max_length=48)
    ask_id: str = SQLField(max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)  # a person's journal, their erasure
    mentor_org_id: str = SQLField(max_length=48)
    mentee_id: str = SQLField(max_length=48, index=True)
    mentee_org_id: str = SQLField(max_length=48)
    status: str = SQLField(max_length=16)
    # Indexed: each proposal marks its session (it may come first, on another topic).
    proposal_id: str | None = SQLField(default=None, max_length=48, index=True)
    start_at: datetime | None = None
    scheduled_at: datetime | None = None
    # Indexed, as the times below: the impact figures read one quarter's rows.
    completed_at: datetime | None = SQLField(default=None, index=True)
    ended_at: datetime | None = SQLField(
        default=None, index=True, description="Completed, cancelled or no-show."
    )
    absent_id: str | None = SQLField(default=None, max_length=48)
    reverse_mentoring: bool = False
    follow_up_due_sent_at: datetime | None = None


class ProposalFact(SQLModel, table=True):
    """Whether a proposal was reverse mentoring (the session knows its proposal id)."""

    __tablename__ = "proposal_fact"

    proposal_id: str = SQLField(primary_key=True, max_length=48)
    reverse_mentoring: bool = False


class SessionText(SQLModel, table=True):
    """The participants' orgs only: what the session was about, for their journals."""

    __tablename__ = "session_text"

    proposal_id: str = SQLField(primary_key=True, max_length=48)
    mentee_id: str = SQLField(default="", max_length=48, index=True)
    question: str = SQLField(sa_column=Column(Text, nullable=False))
    success_criteria: str = SQLField(sa_column=Column(Text, nullable=False))
    skills: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))


class AskNote(SQLModel, table=True):
    """The mentee's org only: an ask's skills and how it ended (its text stays with matching)."""

    __tablename__ = "ask_note"

    ask_id: str = SQLField(primary_key=True, max_length=48)
    mentee_id: str = SQLField(max_length=48, index=True)
    skills: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = SQLField(default="open", max_length=16)
    reason: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: SessionId
    what_i_did: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    resolved: Resolution = Field(description="Against the ask's own success criteria.")
    share_with_mentor: bool = False


class FollowUp(SQLModel, table=True):
    """The mentee's org: how they applied the advice."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("session_id", name="uq_follow_up_once_per_session"),)

    id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48)
    mentee_id: str = SQLField(max_length=48, index=True)
    mentor_id: str = SQLField(max_length=48)
    what_i_did: str = SQLField(sa_column=Column(Text, nullable=False))
    resolved: str = SQLField(max_length=8)
    shared_with_mentor: bool = False
    created_at: datetime


class SharedFollowUp(SQLModel, table=True):
    """The mentor's org: a follow-up the mentee chose to share with the mentor."""

    __tablename__ = "shared_follow_up"

    follow_up_id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)
    mentee_id: str = SQLField(max_length=48, index=True)
    what_i_did: str = SQLField(sa_column=Column(Text, nullable=False))
    resolved: str = SQLField(max_length=8)
    recorded_at: datetime


class FollowUpFact(SQLModel, table=True):
    """Every involved store and the consortium's: a follow-up's answer, never its text."""

    __tablename__ = "follow_up_fact"

    follow_up_id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48, index=True)
    resolved: str = SQLField(max_length=8)
    recorded_at: datetime = SQLField(index=True)


class ReceivedFeedback(SQLModel, table=True):
    """The other participant's org: the answers a feedback's author chose to show them."""

    __tablename__ = "received_feedback"

    feedback_id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48, index=True)
    recipient_id: str = SQLField(max_length=48, index=True)
    author_role: str = SQLField(max_length=8)
    shared: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    submitted_at: datetime


class FollowUpOut(BaseModel):
    id: str
    session_id: str
    role: Literal["mentee", "mentor"] = Field(description="mentor: a follow-up the mentee shared with you.")
    success_criteria: str = Field(default="", description="What the ask said success would look like.")
    what_i_did: str
    resolved: Resolution
    shared_with_mentor: bool
    recorded_at: datetime


class FollowUpList(BaseModel):
    items: list[FollowUpOut]
    next_offset: int | None


class ReceivedOut(BaseModel):
    feedback_id: str
    session_id: str
    from_role: str
    shared: dict[str, Any]
    submitted_at: datetime


class ReceivedList(BaseModel):
    items: list[ReceivedOut]
    next_offset: int | None


class AskFact(SQLModel, table=True):
    __tablename__ = "ask_fact"

    ask_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    created_at: datetime = SQLField(index=True)
    first_proposed_at: datetime | None = None


class FeedbackFact(SQLModel, table=True):
    __tablename__ = "feedback_fact"

    feedback_id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48)
    author_role: str = SQLField(max_length=8)
    rating: int
    resolved: str = SQLField(max_length=8)
    preparation: int | None = None
    submitted_at: datetime = SQLField(index=True)


class ResolvedSplit(BaseModel):
    yes: int
    partly: int
    no: int


class WeekFigures(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W48.")
    starts_on: date
    asks_created: int
    sessions_completed: int
    unique_participants: int
    average_rating: float | None
    median_minutes_to_first_proposal: float | None = Field(
        default=None,
        description="Of the asks created that week that found a mentor: the median time to match.",
    )


class Reciprocity(BaseModel):
    """Mentoring an org's people gave (as mentors) and received (as mentees) in completed sessions."""

    org_id: str
    sessions_given: int
    sessions_received: int
    balance: int


class Impact(BaseModel):
    """Every figure is for ``quarter`` (asks created, sessions completed or ended, answers given in it)."""

    scope: str = Field(description="The org id, or 'consortium'.")
    quarter: str
    asks_created: int
    share_of_asks_with_a_proposal: float | None
    median_minutes_to_first_proposal: float | None = Field(description="Median time to match.")
    sessions_completed: int
    unique_mentees: int
    unique_mentors: int
    interactions_per_participant: float | None
    share_of_participants_with_three_or_more: float | None
    people_with_three_or_more_interactions_this_quarter: int
    completion_rate: float | None = Field(
        description="Completed ÷ sessions that ended (completed, cancelled, no-show)."
    )
    no_show_rate: float | None
    resolved: ResolvedSplit = Field(description="The mentees' answers to 'was your question resolved?'")
    resolution_rate_from_feedback: float | None = Field(
        description="Share of mentees' answers that are 'yes'."
    )
    follow_ups_recorded: int
    resolution_rate_from_follow_ups: float | None = Field(
        description="Share of follow-ups saying the advice resolved it, against the ask's own criteria."
    )
    average_rating: float | None
    average_preparation: float | None = Field(description="Mentors' rating of how asks were prepared.")
    share_of_sessions_across_orgs: float | None
    reverse_mentoring_share: float | None = Field(
        description="Completed sessions where the mentor described themself as more junior than the mentee."
    )
    reciprocity: list[Reciprocity]
    weekly: list[WeekFigures]


class JournalEntry(BaseModel):
    kind: Literal["session", "ask"]
    at: datetime
    role: Literal["mentee", "mentor"]
    ask_id: str
    session_id: str | None = None
    question: str | None = None
    success_criteria: str | None = None
    skills: list[str] = []
    status: str
    status_reason: str | None = None
    start_at: datetime | None = None
    with_person: str | None = None
    my_rating: int | None = None
    learned: str | None = None
    follow_up: str | None = None
    follow_up_resolved: str | None = None
    shown_to_me: dict[str, object] = {}


class Journal(BaseModel):
    person_id: str
    entries: list[JournalEntry]
    next_offset: int | None = None
