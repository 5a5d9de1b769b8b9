"""Feedback's tables and API shapes.

The author's org store: ``feedback`` (with its free text). Each participant org's store, and the
consortium store: ``session_record``, ``ask_fact`` and ``feedback_fact`` — ids, times, ratings, never text —
from which impact is computed (an org_admin's figures from their store, the operator's from the consortium's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from mentornet_common.contracts import Resolution

FreeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: Annotated[str, StringConstraints(min_length=1, max_length=48)]
    rating: int = Field(ge=1, le=5)
    resolved: Resolution
    learned: FreeText = ""
    comment: FreeText = ""


class Feedback(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("session_id", "author_id", name="uq_feedback_once_per_author"),)

    id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48, index=True)
    author_id: str = SQLField(max_length=48)
    author_role: str = SQLField(max_length=8)
    rating: int
    resolved: str = SQLField(max_length=8)
    learned: str = SQLField(sa_column=Column(Text, nullable=False))
    comment: str = SQLField(sa_column=Column(Text, nullable=False))
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
    created_at: datetime


class FeedbackList(BaseModel):
    items: list[FeedbackOut]
    next_offset: int | None


class SessionRecord(SQLModel, table=True):
    __tablename__ = "session_record"

    session_id: str = SQLField(primary_key=True, max_length=48)
    ask_id: str = SQLField(max_length=48)
    mentor_id: str = SQLField(max_length=48)
    mentor_org_id: str = SQLField(max_length=48)
    mentee_id: str = SQLField(max_length=48)
    mentee_org_id: str = SQLField(max_length=48)
    status: str = SQLField(max_length=16)
    completed_at: datetime | None = None


class AskFact(SQLModel, table=True):
    __tablename__ = "ask_fact"

    ask_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    created_at: datetime
    first_proposed_at: datetime | None = None


class FeedbackFact(SQLModel, table=True):
    __tablename__ = "feedback_fact"

    feedback_id: str = SQLField(primary_key=True, max_length=48)
    session_id: str = SQLField(max_length=48)
    author_role: str = SQLField(max_length=8)
    rating: int
    resolved: str = SQLField(max_length=8)
    submitted_at: datetime


class ResolvedSplit(BaseModel):
    yes: int
    partly: int
    no: int


class Impact(BaseModel):
    scope: str = Field(description="The org id, or 'consortium'.")
    asks_created: int
    share_of_asks_with_a_proposal: float | None
    median_minutes_to_first_proposal: float | None
    sessions_completed: int
    resolved: ResolvedSplit = Field(description="The mentees' answers to 'was your question resolved?'")
    average_rating: float | None
    share_of_sessions_across_orgs: float | None
    people_with_three_or_more_interactions_this_quarter: int
    quarter: str
