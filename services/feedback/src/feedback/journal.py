"""``GET /v1/journal``: a member's own history — asks, sessions (as mentee and as mentor), what they
learned, their follow-ups and what others chose to show them — read from their own org's store only,
and exportable as CSV or Markdown.

An ask's question text stays with matching (``ask-created`` carries none); the journal shows it for asks
that reached a mentor (the offer carried it) and, for the others, their skills and how they ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlmodel import col, or_, select

from feedback.models import (
    AskNote,
    Feedback,
    FollowUp,
    Journal,
    JournalEntry,
    ReceivedFeedback,
    SessionRecord,
    SessionText,
    SharedFollowUp,
)
from mentornet_common.auth import Principal, org_of
from mentornet_common.downloads import csv_text
from mentornet_common.runtime import Runtime


async def journal(runtime: Runtime, caller: Principal) -> Journal:
    me = caller.subject
    async with runtime.stores.session(org_of(caller)) as db:
        sessions = (
            await db.exec(
                select(SessionRecord).where(or_(SessionRecord.mentor_id == me, SessionRecord.mentee_id == me))
            )
        ).all()
        proposal_ids = [s.proposal_id for s in sessions if s.proposal_id]
        texts = {
            t.proposal_id: t
            for t in (
                await db.exec(select(SessionText).where(col(SessionText.proposal_id).in_(proposal_ids)))
            ).all()
        }
        mine = {
            f.session_id: f for f in (await db.exec(select(Feedback).where(Feedback.author_id == me))).all()
        }
        follow = {
            f.session_id: f for f in (await db.exec(select(FollowUp).where(FollowUp.mentee_id == me))).all()
        }
        shared = {
            f.session_id: f
            for f in (await db.exec(select(SharedFollowUp).where(SharedFollowUp.mentor_id == me))).all()
        }
        shown = {
            r.session_id: r.shared
            for r in (
                await db.exec(select(ReceivedFeedback).where(ReceivedFeedback.recipient_id == me))
            ).all()
        }
        asks = (await db.exec(select(AskNote).where(AskNote.mentee_id == me))).all()
    entries = []
    with_session = set()
    for record in sessions:
        with_session.add(record.ask_id)
        role: Literal["mentee", "mentor"] = "mentee" if record.mentee_id == me else "mentor"
        text = texts.get(record.proposal_id or "")
        own = mine.get(record.session_id)
        followed = follow.get(record.session_id) if role == "mentee" else None
        told = shared.get(record.session_id) if role == "mentor" else None
        entries.append(
            JournalEntry(
                kind="session",
                at=record.completed_at or record.start_at or record.scheduled_at or datetime.min,
                role=role,
                ask_id=record.ask_id,
                session_id=record.session_id,
                question=text.question if text else None,
                success_criteria=text.success_criteria if text else None,
                skills=text.skills if text else [],
                status=record.status,
                start_at=record.start_at,
                with_person=record.mentor_id if role == "mentee" else record.mentee_id,
                my_rating=own.rating if own else None,
                learned=(own.learned or None) if own else None,
                follow_up=(followed.what_i_did if followed else told.what_i_did if told else None),
                follow_up_resolved=(followed.resolved if followed else told.resolved if told else None),
                shown_to_me=shown.get(record.session_id, {}),
            )
        )
    for ask in asks:
        if ask.ask_id in with_session:
            continue
        entries.append(
            JournalEntry(
                kind="ask",
                at=ask.created_at,
                role="mentee",
                ask_id=ask.ask_id,
                skills=ask.skills,
                status=ask.status,
                status_reason=ask.reason,
            )
        )
    entries.sort(key=lambda e: (e.at.isoformat() if e.at != datetime.min else "", e.ask_id), reverse=True)
    return Journal(person_id=me, entries=entries)


CSV_COLUMNS = (
    "at", "kind", "role", "status", "question", "success_criteria", "skills", "start_at", "with_person",
    "my_rating", "learned", "follow_up", "follow_up_resolved", "status_reason", "ask_id", "session_id",
)  # fmt: skip


def as_csv(entries: list[JournalEntry]) -> str:
    """The journal as CSV; what people wrote is never run by a spreadsheet (downloads.csv_cell)."""

    def row(entry: JournalEntry) -> list[Any]:
        values = entry.model_dump(mode="json")
        values["skills"] = "; ".join(entry.skills)
        return [values[column] for column in CSV_COLUMNS]

    return csv_text([CSV_COLUMNS, *(row(entry) for entry in entries)])


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def as_markdown(journal_: Journal) -> str:
    lines = ["# My mentoring journal", ""]
    if not journal_.entries:
        lines.append("Nothing yet: post an ask, or mentor someone.")
    for entry in journal_.entries:
        when = entry.at.strftime("%d %b %Y") if entry.at != datetime.min else "—"
        title = (
            _md(entry.question) if entry.question else f"Ask about {', '.join(entry.skills) or 'something'}"
        )
        lines.append(f"## {when} — {title}")
        lines.append("")
        what = "I mentored" if entry.role == "mentor" else "I asked"
        lines.append(
            f"- {what}; status: **{entry.status}**"
            + (f" ({_md(entry.status_reason)})" if entry.status_reason else "")
        )
        if entry.success_criteria:
            lines.append(f"- Success looked like: {_md(entry.success_criteria)}")
        if entry.start_at:
            lines.append(f"- Session: {entry.start_at:%d %b %Y %H:%M} UTC")
        if entry.learned:
            lines.append(f"- What I learned: {_md(entry.learned)}")
        if entry.follow_up:
            whose = "What I did" if entry.role == "mentee" else "What came of my advice"
            lines.append(f"- {whose}: {_md(entry.follow_up)} ({entry.follow_up_resolved})")
        if entry.shown_to_me:
            shown = ", ".join(f"{k}: {_md(str(v))}" for k, v in entry.shown_to_me.items())
            lines.append(f"- The other side shared: {shown}")
        lines.append("")
    return "\n".join(lines)
