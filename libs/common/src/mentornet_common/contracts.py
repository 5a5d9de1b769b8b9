"""The event contracts: one Pydantic payload model per event type mentornet publishes.

Partners read these as JSON Schema (``docs/asyncapi/schemas``), generated from the models here, so what
they read cannot drift from what is sent. Consumers ignore fields they do not know. A breaking change is a
new class with ``version = 2`` published beside the old one; a ``v1`` model only ever gains optional fields.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

TOPIC_IDENTITY = "mentornet.identity"
TOPIC_PROFILES = "mentornet.profiles"
TOPIC_ASKS = "mentornet.asks"
TOPIC_MATCHES = "mentornet.matches"
TOPIC_SESSIONS = "mentornet.sessions"
TOPIC_FEEDBACK = "mentornet.feedback"
TOPICS = (TOPIC_IDENTITY, TOPIC_PROFILES, TOPIC_ASKS, TOPIC_MATCHES, TOPIC_SESSIONS, TOPIC_FEEDBACK)
# The services' consumer groups (each named as its service): each has a dead-letter and a redrive topic of
# its own (ADR 0015), declared with the event topics (deploy/k8s/overlays/prod/topics.yaml).
CONSUMER_GROUPS = ("profiles", "matching", "sessions", "feedback", "streams")

Role = Literal["operator", "org_admin", "mentor", "member"]
Scope = Literal["org", "consortium"]
Resolution = Literal["yes", "partly", "no"]
DurationMinutes = Literal[15, 30, 45, 60]
Seniority = Literal["junior", "mid", "senior", "lead", "executive"]
SENIORITY_ORDER: tuple[str, ...] = ("junior", "mid", "senior", "lead", "executive")


class Event(BaseModel):
    """Base of every payload. Class variables say where and how an event travels."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: ClassVar[str]
    version: ClassVar[int] = 1
    topic: ClassVar[str]
    source: ClassVar[str]
    subject_field: ClassVar[str]

    @classmethod
    def ce_type(cls) -> str:
        """The CloudEvents type, ``mentornet.<name>.v<version>``."""
        return f"mentornet.{cls.name}.v{cls.version}"

    def subject(self) -> str:
        """The aggregate id: the CloudEvents subject and the Kafka message key."""
        return str(getattr(self, self.subject_field))


class Skill(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(max_length=80)
    level: int = Field(ge=1, le=5)


class AvailabilityWindow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    weekday: int = Field(ge=0, le=6, description="0 is Monday.")
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")


class TimeRange(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    start: datetime
    end: datetime


class Participants(Event):
    """The ids a consumer needs to join session-level events to asks, proposals and people."""

    session_id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str


# identity ----------------------------------------------------------------------------------------------


class OrgRegistered(Event):
    name = "org-registered"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "org_id"

    org_id: str
    slug: str
    org_name: str
    registered_at: datetime


class OrgSuspended(Event):
    """A consortium operator suspended a member org: its people and API clients get no tokens and theirs
    are refused everywhere, and its webhooks pause (streams). Nothing is deleted; ``org-resumed`` undoes
    it."""

    name = "org-suspended"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "org_id"

    org_id: str
    suspended_at: datetime


class OrgResumed(Event):
    """The operator lifted an org's suspension: its people and clients may sign in again, its webhooks that
    the suspension paused resume."""

    name = "org-resumed"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "org_id"

    org_id: str
    resumed_at: datetime


class UserRegistered(Event):
    name = "user-registered"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "user_id"

    user_id: str
    org_id: str
    roles: list[Role]
    registered_at: datetime


class UserErased(Event):
    name = "user-erased"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "user_id"

    user_id: str
    org_id: str
    erased_at: datetime


class UserDeactivated(Event):
    """An org deactivated one of its people (they left, or SCIM said ``active: false``): their tokens no
    longer work anywhere, and profiles withdraws what they shared (a mentor card is never proposed)."""

    name = "user-deactivated"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "user_id"

    user_id: str
    org_id: str
    deactivated_at: datetime


class ClientRevoked(Event):
    """An org revoked one of its API clients: its tokens no longer work anywhere, and what it registered
    (webhook endpoints) stops."""

    name = "client-revoked"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "client_id"

    client_id: str
    org_id: str
    revoked_at: datetime


class OrgOffboarded(Event):
    """A member org left the consortium (``mentornet orgs offboard``), its data exported for it first: every
    service drops the org's store, removes the consortium's rows about it (its cards in the directory, its
    facts) and erases each of its people (``user_ids``) wherever they appear, as on ``user-erased``."""

    name = "org-offboarded"
    topic = TOPIC_IDENTITY
    source = "/mentornet/identity"
    subject_field = "org_id"

    org_id: str
    user_ids: list[str] = Field(description="Every person the org had, to be erased in every store.")
    offboarded_at: datetime


# profiles ----------------------------------------------------------------------------------------------


class PersonCard(BaseModel):
    """What a person chose to show beyond their own org's store: never email, never private fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    display_name: str
    headline: str = ""
    languages: list[str] = []
    timezone: str = "UTC"
    seniority: Seniority | None = Field(
        default=None, description="Self-described career stage; only ever used to describe a match."
    )
    availability: list[AvailabilityWindow] = Field(
        default=[], description="Weekly windows in `timezone`, for finding common time with a mentor."
    )


class ProfileShared(Event):
    """A person's card is visible to their org (``scope: org``) or to the whole consortium."""

    name = "profile-shared"
    topic = TOPIC_PROFILES
    source = "/mentornet/profiles"
    subject_field = "user_id"

    user_id: str
    org_id: str
    scope: Scope
    card: PersonCard
    shared_at: datetime


class ProfileUnshared(Event):
    """A person made their profile private: consumers drop the card they hold."""

    name = "profile-unshared"
    topic = TOPIC_PROFILES
    source = "/mentornet/profiles"
    subject_field = "user_id"

    user_id: str
    org_id: str
    unshared_at: datetime


class MentorCard(BaseModel):
    """What a mentor chose to share for matching: never email, never private fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    display_name: str
    headline: str = ""
    bio: str = ""
    skills: list[Skill] = []
    languages: list[str] = []
    timezone: str = "UTC"
    availability: list[AvailabilityWindow] = []
    capacity_per_month: int = 0
    open_to_reverse: bool = Field(
        default=True, description="Open to mentoring people more senior than themself (reverse mentoring)."
    )
    seniority: Seniority | None = None


class MentorPublished(Event):
    name = "mentor-published"
    topic = TOPIC_PROFILES
    source = "/mentornet/profiles"
    subject_field = "mentor_id"

    mentor_id: str
    org_id: str
    scope: Scope
    card: MentorCard
    published_at: datetime


class MentorWithdrawn(Event):
    name = "mentor-withdrawn"
    topic = TOPIC_PROFILES
    source = "/mentornet/profiles"
    subject_field = "mentor_id"

    mentor_id: str
    org_id: str
    reason: str
    withdrawn_at: datetime


# matching ----------------------------------------------------------------------------------------------


class AskCreated(Event):
    name = "ask-created"
    topic = TOPIC_ASKS
    source = "/mentornet/matching"
    subject_field = "ask_id"

    ask_id: str
    mentee_id: str
    mentee_org_id: str
    skills: list[str]
    duration_minutes: DurationMinutes
    scope: Scope
    created_at: datetime


class AskClosed(Event):
    name = "ask-closed"
    topic = TOPIC_ASKS
    source = "/mentornet/matching"
    subject_field = "ask_id"

    ask_id: str
    mentee_id: str
    mentee_org_id: str
    status: str
    reason: str
    closed_at: datetime


class MatchProposed(Event):
    name = "match-proposed"
    topic = TOPIC_MATCHES
    source = "/mentornet/matching"
    subject_field = "ask_id"

    proposal_id: str
    ask_id: str
    mentee_id: str
    mentee_org_id: str
    mentor_id: str
    mentor_org_id: str
    score: float
    reasons: list[str]
    question: str
    background: str
    success_criteria: str
    skills: list[str]
    duration_minutes: DurationMinutes
    proposed_at: datetime
    mentee_card: PersonCard | None = None
    expires_at: datetime | None = Field(
        default=None,
        description="When an unanswered offer lapses (`match-expired`) and the next mentor is asked.",
    )
    reverse_mentoring: bool = Field(
        default=False, description="The mentor described themself as more junior than the mentee."
    )
    free_time: list[TimeRange] = Field(
        default=[],
        description="When both are free in the next 14 days (each person's windows in their own time zone, "
        "minus sessions either already has), as UTC instants.",
    )
    slots: list[datetime] = Field(default=[], description="Start instants of slots of the ask's length.")
    mentor_timezone: str | None = None


# sessions ----------------------------------------------------------------------------------------------


class SessionScheduled(Participants):
    name = "session-scheduled"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    proposal_id: str
    start_at: datetime
    duration_minutes: DurationMinutes
    scheduled_at: datetime


class SessionRescheduled(Participants):
    name = "session-rescheduled"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    start_at: datetime
    previous_start_at: datetime
    duration_minutes: DurationMinutes
    rescheduled_by: str
    reason: str
    rescheduled_at: datetime


class SessionNoShow(Participants):
    """A participant reported that the other did not come."""

    name = "session-no-show"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    reported_by: str
    absent_id: str
    reason: str
    reported_at: datetime


class SessionReminderDue(Participants):
    """A scheduled session starts in 24 hours or in 1 hour: time to remind both participants."""

    name = "session-reminder-due"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    start_at: datetime
    duration_minutes: DurationMinutes
    lead: Literal["24h", "1h"]
    due_at: datetime


class SessionCompleted(Participants):
    name = "session-completed"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    completed_by: str
    completed_at: datetime


class SessionCancelled(Participants):
    name = "session-cancelled"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    cancelled_by: str
    reason: str
    cancelled_at: datetime


class MatchDeclined(Participants):
    name = "match-declined"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    proposal_id: str
    reason: str
    declined_at: datetime


class MatchExpired(Participants):
    """The mentor did not answer an offer before its ``expires_at``; matching proposes the next mentor."""

    name = "match-expired"
    topic = TOPIC_SESSIONS
    source = "/mentornet/sessions"
    subject_field = "session_id"

    proposal_id: str
    reason: str
    expired_at: datetime


# feedback ----------------------------------------------------------------------------------------------


class SharedFeedback(BaseModel):
    """The answers a feedback's author chose to show the other participant; the rest stay private."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    rating: int | None = None
    resolved: Resolution | None = None
    preparation: int | None = None
    learned: str | None = None
    comment: str | None = None


class FeedbackSubmitted(Participants):
    name = "feedback-submitted"
    topic = TOPIC_FEEDBACK
    source = "/mentornet/feedback"
    subject_field = "session_id"

    feedback_id: str
    author_id: str
    author_role: Literal["mentor", "mentee"]
    rating: int = Field(ge=1, le=5)
    resolved: Resolution
    submitted_at: datetime
    preparation: int | None = Field(
        default=None, ge=1, le=5, description="The mentor's rating of how well the ask was prepared."
    )
    shared: SharedFeedback | None = Field(
        default=None, description="What the author chose to show the other participant (text included)."
    )


class FollowUpRecorded(Participants):
    name = "follow-up-recorded"
    topic = TOPIC_FEEDBACK
    source = "/mentornet/feedback"
    subject_field = "session_id"

    follow_up_id: str
    resolved: Resolution
    recorded_at: datetime
    shared_with_mentor: bool = False
    what_i_did: str | None = Field(
        default=None, description="Only when the mentee shared it with the mentor; otherwise absent."
    )


class FollowUpDue(Participants):
    """A completed session's follow-up is due: the mentee is asked how they applied the advice."""

    name = "follow-up-due"
    topic = TOPIC_FEEDBACK
    source = "/mentornet/feedback"
    subject_field = "session_id"

    completed_at: datetime
    due_at: datetime


EVENT_CLASSES: tuple[type[Event], ...] = (
    OrgRegistered,
    OrgSuspended,
    OrgResumed,
    UserRegistered,
    UserErased,
    UserDeactivated,
    ClientRevoked,
    OrgOffboarded,
    ProfileShared,
    ProfileUnshared,
    MentorPublished,
    MentorWithdrawn,
    AskCreated,
    AskClosed,
    MatchProposed,
    SessionScheduled,
    SessionRescheduled,
    SessionReminderDue,
    SessionNoShow,
    SessionCompleted,
    SessionCancelled,
    MatchDeclined,
    MatchExpired,
    FeedbackSubmitted,
    FollowUpRecorded,
    FollowUpDue,
)

REGISTRY: dict[str, type[Event]] = {cls.ce_type(): cls for cls in EVENT_CLASSES}


class UnknownEventType(LookupError):
    """No payload model is registered for a ``ce_type``."""


def model_for(ce_type: str) -> type[Event]:
    """The payload model registered for a CloudEvents type."""
    try:
        return REGISTRY[ce_type]
    except KeyError:
        raise UnknownEventType(ce_type) from None


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every payload, keyed by ``ce_type``, with where it travels."""
    schemas: dict[str, dict[str, Any]] = {}
    for ce_type, cls in sorted(REGISTRY.items()):
        schema = cls.model_json_schema(mode="serialization")
        schema["x-mentornet"] = {
            "ce_type": ce_type,
            "topic": cls.topic,
            "ce_source": cls.source,
            "key": cls.subject_field,
        }
        schemas[ce_type] = schema
    return schemas


def write_json_schemas(folder: Path) -> list[Path]:
    """Write one ``<ce_type>.json`` file per payload into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ce_type, schema in json_schemas().items():
        path = folder / f"{ce_type}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_json_schemas(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi/schemas")
    ):
        print(written_path)
