"""Profiles' tables and API shapes.

Each org's store: ``profile`` (the whole profile, for the person and their colleagues). Consortium store:
``shared_card`` (only the cards people shared with the whole consortium), which answers other orgs.
"""

from __future__ import annotations

from datetime import datetime, time
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from mentornet_common.contracts import AvailabilityWindow, MentorCard, PersonCard, Seniority, Skill

Visibility = Literal["private", "org", "consortium"]
GroupLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LanguageCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
MAX_SKILLS = 30
MAX_WINDOWS = 21
_ZONES = available_timezones()


class SkillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    level: int = Field(ge=1, le=5, description="1 (learning) to 5 (expert).")


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="0 is Monday.")
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", examples=["12:00"])

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> WindowIn:
        if self.end != "24:00" and time.fromisoformat(self.end) <= time.fromisoformat(self.start):
            raise ValueError("end must be after start")
        return self


class MentoringIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = False
    capacity_per_month: int = Field(default=0, ge=0, le=60)
    open_to_reverse: bool = True


class ProfileIn(BaseModel):
    """``PUT /v1/profiles/me``: the whole profile, replaced."""

    model_config = ConfigDict(extra="forbid")

    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    headline: Text200 = ""
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    skills: list[SkillIn] = Field(default=[], max_length=MAX_SKILLS)
    languages: list[LanguageCode] = Field(
        default=[], max_length=10, description="BCP 47 codes: en, de, pt-BR"
    )
    timezone: str = Field(default="UTC", max_length=64, description="An IANA time zone, e.g. Europe/Berlin.")
    availability: list[WindowIn] = Field(default=[], max_length=MAX_WINDOWS)
    seniority: Seniority | None = Field(
        default=None,
        description="Optional career stage (junior … executive). Never a requirement for matching: it only "
        "lets a proposal say when it is reverse mentoring.",
    )
    mentoring: MentoringIn = MentoringIn()
    visibility: Visibility = "org"
    self_identified_groups: list[GroupLabel] = Field(
        default=[],
        max_length=5,
        description="Optional, in the person's own words. Never shown to anyone else and never published; "
        "counted only in participation figures inside their org, and only with consent.",
    )
    group_statistics_consent: bool = Field(
        default=False, description="Consent to count self_identified_groups in participation figures."
    )

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        if value not in _ZONES:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin)")
        ZoneInfo(value)
        return value

    @field_validator("skills")
    @classmethod
    def _distinct_skills(cls, value: list[SkillIn]) -> list[SkillIn]:
        names = [s.name.lower() for s in value]
        if len(set(names)) != len(names):
            raise ValueError("each skill may appear once")
        return value

    @model_validator(mode="after")
    def _windows_do_not_overlap(self) -> ProfileIn:
        by_day: dict[int, list[tuple[str, str]]] = {}
        for window in self.availability:
            by_day.setdefault(window.weekday, []).append((window.start, window.end))
        for day, windows in by_day.items():
            windows.sort()
            for (_, end), (start, _) in pairwise(windows):
                if start < end:
                    raise ValueError(f"availability windows overlap on weekday {day}")
        if self.mentoring.active and self.mentoring.capacity_per_month == 0:
            raise ValueError("an active mentor needs a capacity_per_month of at least 1")
        if self.self_identified_groups and not self.group_statistics_consent:
            raise ValueError("self_identified_groups are recorded only with group_statistics_consent: true")
        return self


class Profile(SQLModel, table=True):
    user_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    display_name: str = SQLField(max_length=120)
    headline: str = SQLField(default="", max_length=200)
    bio: str = SQLField(default="", max_length=4000)
    skills: list[dict[str, Any]] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    timezone: str = SQLField(default="UTC", max_length=64)
    availability: list[dict[str, Any]] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    seniority: str | None = SQLField(default=None, max_length=16)
    mentoring_active: bool = False
    capacity_per_month: int = 0
    open_to_reverse: bool = True
    visibility: str = SQLField(default="org", max_length=16)
    self_identified_groups: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    group_statistics_consent: bool = False
    mentor_scope: str | None = SQLField(
        default=None, max_length=16, description="What mentor-published last said."
    )
    updated_at: datetime

    def person_card(self) -> PersonCard:
        return PersonCard(
            display_name=self.display_name,
            headline=self.headline,
            languages=self.languages,
            timezone=self.timezone,
            seniority=self.seniority,
            availability=[AvailabilityWindow.model_validate(w) for w in self.availability],
        )

    def mentor_card(self) -> MentorCard:
        return MentorCard(
            display_name=self.display_name,
            headline=self.headline,
            bio=self.bio,
            skills=[Skill.model_validate(s) for s in self.skills],
            languages=self.languages,
            timezone=self.timezone,
            availability=[AvailabilityWindow.model_validate(w) for w in self.availability],
            capacity_per_month=self.capacity_per_month,
            open_to_reverse=self.open_to_reverse,
            seniority=self.seniority,
        )


class SharedCard(SQLModel, table=True):
    """Consortium store: the mentor card (if any) or person card someone shared with every member org."""

    __tablename__ = "shared_card"

    user_id: str = SQLField(primary_key=True, max_length=48)
    org_id: str = SQLField(max_length=48)
    person: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    mentor: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime


class MentoringOut(BaseModel):
    active: bool
    capacity_per_month: int
    open_to_reverse: bool


class ProfileOut(BaseModel):
    """The whole profile: the person themself and their colleagues see this."""

    user_id: str
    org_id: str
    display_name: str
    headline: str
    bio: str
    skills: list[Skill]
    languages: list[str]
    timezone: str
    availability: list[AvailabilityWindow]
    seniority: Seniority | None
    mentoring: MentoringOut
    visibility: Visibility
    self_identified_groups: list[str] | None = Field(
        default=None, description="Only in the person's own view (null for colleagues)."
    )
    group_statistics_consent: bool | None = None
    updated_at: datetime

    @classmethod
    def of(cls, profile: Profile, own: bool = True) -> ProfileOut:
        return cls(
            user_id=profile.user_id,
            org_id=profile.org_id,
            display_name=profile.display_name,
            headline=profile.headline,
            bio=profile.bio,
            skills=[Skill.model_validate(s) for s in profile.skills],
            languages=profile.languages,
            timezone=profile.timezone,
            availability=[AvailabilityWindow.model_validate(w) for w in profile.availability],
            seniority=profile.seniority,
            mentoring=MentoringOut(
                active=profile.mentoring_active,
                capacity_per_month=profile.capacity_per_month,
                open_to_reverse=profile.open_to_reverse,
            ),
            visibility=profile.visibility,
            self_identified_groups=list(profile.self_identified_groups) if own else None,
            group_statistics_consent=profile.group_statistics_consent if own else None,
            updated_at=profile.updated_at,
        )


class CardOut(BaseModel):
    """What another member org sees: only the consortium-visible card."""

    user_id: str
    org_id: str
    card: PersonCard
    mentor: MentorCard | None


class Participation(SQLModel, table=True):
    """Each org's own store: how much one of its people took part in a quarter (counts only)."""

    __tablename__ = "participation"

    user_id: str = SQLField(primary_key=True, max_length=48)
    quarter: str = SQLField(primary_key=True, max_length=7, index=True)  # a quarter's figures
    asks: int = 0
    sessions_as_mentee: int = 0
    sessions_as_mentor: int = 0


class GroupFigures(BaseModel):
    group: str
    members: int = Field(description="People who self-identified with the group and consented.")
    participants: int = Field(description="Of them, people who asked or had a session in the quarter.")
    participation_rate: float
    asks: int
    sessions_as_mentee: int
    sessions_as_mentor: int


class ParticipationOut(BaseModel):
    scope: str
    quarter: str
    min_group_size: int
    consenting_people: int
    groups: list[GroupFigures]
    groups_suppressed: int = Field(
        description="Groups left out: fewer than min_group_size people took part in the quarter, or showing "
        "them would let a smaller group be worked out by subtraction."
    )
