"""Matching's tables and API shapes.

The mentee's org store: ``ask``, ``proposal``. The directory (``directory_entry``) and people's cards
(``person_card``) sit where their owner shared them: consortium-wide entries in the consortium store,
org-only entries in that org's store. ``mentor_load`` (consortium store) counts scheduled sessions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import JSON, Column, Index, LargeBinary, Text, event
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from mentornet_common.contracts import DurationMinutes, PersonCard, Scope

AskStatus = Literal["open", "proposed", "scheduled", "completed", "expired", "cancelled"]
SkillName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
# Names sorted by code point on both engines (SQLite's default; PostgreSQL's collation would sort them as
# its locale does), so that pages read from two stores merge in one order.
NAME_ORDER = Text().with_variant(Text(collation="C"), "postgresql")
LanguageCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]


class AskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "How do I prepare a salary negotiation for a promotion to team lead?",
                    "background": "Two years as a senior engineer; the review is next month.",
                    "success_criteria": "A plan for the conversation and a number I can defend.",
                    "skills": ["negotiation", "career growth"],
                    "duration_minutes": 45,
                    "scope": "consortium",
                    "languages": ["en", "de"],
                }
            ]
        },
    )

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
    background: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    success_criteria: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    skills: list[SkillName] = Field(min_length=1, max_length=10)
    duration_minutes: DurationMinutes = 30
    scope: Scope = "consortium"
    languages: list[LanguageCode] = Field(
        default=[],
        max_length=10,
        description="Languages the session may be held in (BCP 47); empty: those on the mentee's card.",
    )


class Ask(SQLModel, table=True):
    id: str = SQLField(primary_key=True, max_length=48)
    mentee_id: str = SQLField(max_length=48, index=True)
    mentee_org_id: str = SQLField(max_length=48)
    question: str = SQLField(sa_column=Column(Text, nullable=False))
    background: str = SQLField(sa_column=Column(Text, nullable=False))
    success_criteria: str = SQLField(sa_column=Column(Text, nullable=False))
    skills: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    duration_minutes: int
    scope: str = SQLField(max_length=16)
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = SQLField(default="open", max_length=16)
    status_reason: str | None = SQLField(default=None, max_length=500)
    resolution: str | None = SQLField(default=None, max_length=8, description="The mentee's feedback.")
    vector: bytes | None = SQLField(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = SQLField(index=True)  # a quarter's figures
    first_proposed_at: datetime | None = None
    updated_at: datetime


class Proposal(SQLModel, table=True):
    id: str = SQLField(primary_key=True, max_length=48)
    ask_id: str = SQLField(max_length=48, index=True)
    mentor_id: str = SQLField(max_length=48, index=True)  # a mentor's erasure
    mentor_org_id: str = SQLField(max_length=48)
    score: float
    reasons: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    status: str = SQLField(default="proposed", max_length=16)
    reverse_mentoring: bool = False
    expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class DirectoryEntry(SQLModel, table=True):
    """A published mentor card, where its scope allows it to be."""

    __tablename__ = "directory_entry"
    # The directory's pages, in name order: read a few rows at a time through it, not the whole directory.
    __table_args__ = (Index("ix_directory_entry_display_name_mentor_id", "display_name", "mentor_id"),)

    mentor_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    scope: str = SQLField(max_length=16)
    card: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    display_name: str = SQLField(
        default="",
        sa_column=Column(NAME_ORDER, nullable=False, server_default=""),
        description="The card's display name (set from the card when written), for the listing's order.",
    )
    vector: bytes | None = SQLField(
        default=None, sa_column=Column(LargeBinary, nullable=True), description="The card's embedding."
    )
    updated_at: datetime = SQLField(index=True)


@event.listens_for(DirectoryEntry, "before_insert")
@event.listens_for(DirectoryEntry, "before_update")
def _name_from_card(_mapper: Any, _connection: Any, entry: DirectoryEntry) -> None:
    """The listing's name is always the card's, whoever writes the entry."""
    entry.display_name = str(entry.card.get("display_name", ""))


class PersonCardEntry(SQLModel, table=True):
    """A person's shared card (for the mentee's card in an offer)."""

    __tablename__ = "person_card"

    user_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    scope: str = SQLField(max_length=16)
    card: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class MentorLoad(SQLModel, table=True):
    """Sessions scheduled per mentor per month (ids and counts only)."""

    __tablename__ = "mentor_load"

    mentor_id: str = SQLField(primary_key=True, max_length=48)
    month: str = SQLField(primary_key=True, max_length=7)
    scheduled: int = 0


class MentorStats(SQLModel, table=True):
    """Consortium store: a mentor's recent demand and track record (ids and counts only)."""

    __tablename__ = "mentor_stats"

    mentor_id: str = SQLField(primary_key=True, max_length=48)
    last_proposed_at: datetime | None = None
    proposals: int = 0
    ratings: int = 0
    rating_sum: int = 0


class BusyTime(SQLModel, table=True):
    """Consortium store: when each scheduled session takes its two participants' time (ids and times
    only), so an offer's free time leaves out sessions either person already has."""

    __tablename__ = "busy_time"

    session_id: str = SQLField(primary_key=True, max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)
    mentee_id: str = SQLField(max_length=48, index=True)
    start_at: datetime
    end_at: datetime = SQLField(index=True)


class ProposalState(SQLModel, table=True):
    """Consortium store: whether each proposal is still waiting for its mentor's answer.

    Kept per proposal, not as a counter, because the proposal (matches topic) and its answer (sessions
    topic) may be handled in either order: an answer that comes first leaves an answered row, and the
    late proposal then finds it."""

    __tablename__ = "proposal_state"

    proposal_id: str = SQLField(primary_key=True, max_length=48)
    mentor_id: str = SQLField(max_length=48, index=True)
    answered: bool = False


class ProposalOut(BaseModel):
    id: str
    mentor_id: str
    mentor_org_id: str
    score: float
    reasons: list[str]
    status: str
    proposed_at: datetime
    expires_at: datetime | None = None
    reverse_mentoring: bool = False


class AskOut(BaseModel):
    id: str
    status: AskStatus
    status_reason: str | None
    mentee_id: str
    mentee_org_id: str
    question: str
    background: str
    success_criteria: str
    skills: list[str]
    duration_minutes: int
    scope: Scope
    languages: list[str]
    created_at: datetime
    proposals: list[ProposalOut]

    @classmethod
    def of(cls, ask: Ask, proposals: list[Proposal]) -> AskOut:
        return cls.model_validate(
            {
                **ask.model_dump(exclude={"vector"}),
                "proposals": [
                    ProposalOut.model_validate({**p.model_dump(), "proposed_at": p.created_at})
                    for p in proposals
                ],
            }
        )


class AskList(BaseModel):
    items: list[AskOut]
    next_offset: int | None


def person_card(entry: PersonCardEntry | None) -> PersonCard | None:
    return PersonCard.model_validate(entry.card) if entry else None


class MentorOut(BaseModel):
    """A mentor in the directory, as the caller's org may see them."""

    mentor_id: str
    org_id: str
    scope: Scope
    display_name: str
    headline: str
    skills: list[dict[str, Any]]
    languages: list[str]
    timezone: str
    capacity_per_month: int
    open_to_reverse: bool
    seniority: str | None = None

    @classmethod
    def of(cls, entry: DirectoryEntry) -> MentorOut:
        card = entry.card
        return cls(
            mentor_id=entry.mentor_id,
            org_id=entry.org_id,
            scope=entry.scope,
            display_name=card.get("display_name", ""),
            headline=card.get("headline", ""),
            skills=card.get("skills", []),
            languages=card.get("languages", []),
            timezone=card.get("timezone", "UTC"),
            capacity_per_month=card.get("capacity_per_month", 0),
            open_to_reverse=card.get("open_to_reverse", True),
            seniority=card.get("seniority"),
        )


class MentorList(BaseModel):
    items: list[MentorOut]
    next_offset: int | None


class SuggestionOut(BaseModel):
    mentor: MentorOut
    score: float
    reasons: list[str]


class SuggestionList(BaseModel):
    items: list[SuggestionOut]
    based_on_asks: int


class ReverseMentoring(BaseModel):
    proposed: int
    accepted: int
    share_of_accepted: float | None


class MatchingFigures(BaseModel):
    scope: str
    quarter: str
    asks: int
    asks_proposed_a_mentor: int
    asks_closed_without_a_mentor: int
    median_minutes_to_first_proposal: float | None
    proposals: int
    accepted: int
    declined: int
    expired: int
    open: int
    cross_org_share_of_accepted: float | None
    reverse_mentoring: ReverseMentoring


class FiguresOut(MatchingFigures):
    orgs: list[MatchingFigures] = []
