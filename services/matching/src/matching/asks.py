"""Matching's use cases for people: posting an ask, reading one's asks, the directory, one's data.

Matching happens later, on ``ask-created`` (proposing.py)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

from sqlalchemy import String, bindparam, cast, literal, or_, tuple_
from sqlalchemy.orm import defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import domain
from matching.models import Ask, AskIn, AskOut, DirectoryEntry, MentorOut, PersonCardEntry
from matching.proposing import proposals_of, utc_now
from matching.retrieval import card_candidate
from mentornet_common.auth import Principal, org_of
from mentornet_common.contracts import AskCreated
from mentornet_common.pagination import page
from mentornet_common.problems import NotFound
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM


async def create_ask(runtime: Runtime, caller: Principal, data: AskIn) -> AskOut:
    """Record an ask in the mentee's org store and announce it; matching happens on ``ask-created``."""
    org_id = org_of(caller)
    now = utc_now()
    ask = Ask(
        id=f"ask_{secrets.token_hex(8)}",
        mentee_id=caller.subject,
        mentee_org_id=org_id,
        question=data.question,
        background=data.background,
        success_criteria=data.success_criteria,
        skills=list(dict.fromkeys(data.skills)),
        duration_minutes=data.duration_minutes,
        scope=data.scope,
        languages=list(data.languages),
        created_at=now,
        updated_at=now,
    )
    async with runtime.unit_of_work(org_id) as uow:
        uow.session.add(ask)
        uow.publish(
            AskCreated(
                ask_id=ask.id,
                mentee_id=ask.mentee_id,
                mentee_org_id=org_id,
                skills=ask.skills,
                duration_minutes=data.duration_minutes,
                scope=data.scope,
                created_at=now,
            )
        )
        await uow.commit()
    return AskOut.of(ask, [])


async def get_ask(runtime: Runtime, caller: Principal, ask_id: str) -> AskOut:
    """The caller's own ask with its proposals; anyone else's is 404."""
    async with runtime.stores.session(org_of(caller)) as session:
        ask = await session.get(Ask, ask_id)
        if ask is None or ask.mentee_id != caller.subject:
            raise NotFound("ask")
        return AskOut.of(ask, await proposals_of(session, ask_id))


async def list_asks(
    runtime: Runtime, caller: Principal, status: str | None, limit: int, offset: int
) -> tuple[list[AskOut], int | None]:
    async with runtime.stores.session(org_of(caller)) as session:
        query = select(Ask).where(Ask.mentee_id == caller.subject)
        if status:
            query = query.where(Ask.status == status)
        query = query.order_by(col(Ask.created_at).desc(), col(Ask.id)).offset(offset).limit(limit + 1)
        asks, next_offset = page((await session.exec(query)).all(), limit, offset)
        return [AskOut.of(a, await proposals_of(session, a.id)) for a in asks], next_offset


async def list_mentors(
    runtime: Runtime, caller: Principal, skill: str | None, limit: int, offset: int
) -> tuple[list[MentorOut], int | None]:
    """The directory as the caller's org sees it: its own org-only mentors and every consortium mentor, in
    name order. Both stores are read in that order a chunk at a time, through their name index, until the
    page is full: a page costs what comes before it, not the whole directory (a filter on a skill, which
    only Python can judge, reads on until it has found enough)."""
    org_id = org_of(caller)
    wanted = offset + limit + 1
    found: list[MentorOut] = []
    named: list[Any] = []
    if skill:
        # A card can match only if its text holds one of the skill's words (skill_match: the words of one
        # name contain the other's): the store skips the others, and Python judges the rest.
        if not (asked := domain.words(skill)):
            return [], None  # no word to match by: nobody matches
        card = cast(col(DirectoryEntry.card), String)
        named = [or_(*(card.ilike(f"%{word}%") for word in sorted(asked)))]
    async with (
        runtime.stores.session(org_id) as own,
        runtime.stores.session(CONSORTIUM) as consortium,
        aclosing(_merged(_by_name(own, org_id, *named), _by_name(consortium, None, *named))) as entries,
    ):
        async for row, from_own in entries:
            if not from_own and row.org_id == org_id and await _kept_by_org(own, row.mentor_id, org_id):
                continue  # moving between the two stores: the org's own entry is the one listed
            if skill and not domain.skill_match(
                skill, card_candidate(row.mentor_id, row.org_id, row.card, 0).skills
            ):
                continue
            found.append(MentorOut.of(row))
            if len(found) == wanted:
                break
    return page(found[offset:], limit, offset)


_LISTED = (
    select(DirectoryEntry)
    .options(defer(DirectoryEntry.vector))  # type: ignore[arg-type]  # the embedding is not listed
    .order_by(col(DirectoryEntry.display_name), col(DirectoryEntry.mentor_id))
)
_NAME_KEY = tuple_(col(DirectoryEntry.display_name), col(DirectoryEntry.mentor_id))
_KEPT_BY_ORG = select(DirectoryEntry.mentor_id).where(
    col(DirectoryEntry.mentor_id) == bindparam("mentor_id"), col(DirectoryEntry.org_id) == bindparam("org_id")
)
CHUNK = 100


async def _by_name(session: AsyncSession, org_id: str | None, *where: Any) -> AsyncGenerator[DirectoryEntry]:
    """A store's directory entries (of ``org_id`` only, when given; meeting ``where``) in name order,
    ``CHUNK`` at a time, each chunk starting after the last one's final name (no ``OFFSET`` to walk past)."""
    query = _LISTED.where(*where)
    if org_id is not None:
        query = query.where(col(DirectoryEntry.org_id) == org_id)
    after: tuple[str, str] | None = None
    while True:
        past = tuple_(literal(after[0]), literal(after[1])) < _NAME_KEY if after else None
        chunk = query if past is None else query.where(past)
        rows = (await session.exec(chunk.limit(CHUNK))).all()
        for row in rows:
            yield row
        if len(rows) < CHUNK:
            return
        after = (rows[-1].display_name, rows[-1].mentor_id)


async def _merged(
    own: AsyncIterator[DirectoryEntry], consortium: AsyncIterator[DirectoryEntry]
) -> AsyncGenerator[tuple[DirectoryEntry, bool]]:
    """The two stores' entries in one name order (both sort names by code point), each with whether it
    came from the org's own store."""
    mine, theirs = await anext(own, None), await anext(consortium, None)
    while mine is not None or theirs is not None:
        if theirs is None or (mine is not None and _key(mine) <= _key(theirs)):
            assert mine is not None
            yield mine, True
            mine = await anext(own, None)
        else:
            yield theirs, False
            theirs = await anext(consortium, None)


def _key(row: DirectoryEntry) -> tuple[str, str]:
    return (row.display_name, row.mentor_id)


async def _kept_by_org(own: AsyncSession, mentor_id: str, org_id: str) -> bool:
    found = await own.exec(_KEPT_BY_ORG, params={"mentor_id": mentor_id, "org_id": org_id})
    return found.first() is not None


async def my_data(runtime: Runtime, caller: Principal) -> dict[str, Any]:
    """The caller's asks with their proposals, and the cards of theirs the directory holds."""
    org_id = org_of(caller)
    async with runtime.stores.session(org_id) as own, runtime.stores.session(CONSORTIUM) as consortium:
        asks = (await own.exec(select(Ask).where(Ask.mentee_id == caller.subject))).all()
        cards = []
        for db in (own, consortium):
            mentor = await db.get(DirectoryEntry, caller.subject)
            person = await db.get(PersonCardEntry, caller.subject)
            if mentor is not None:
                cards.append({"kind": "mentor card", "scope": mentor.scope, "card": mentor.card})
            if person is not None:
                cards.append({"kind": "person card", "scope": person.scope, "card": person.card})
        return {
            "asks": [AskOut.of(a, await proposals_of(own, a.id)).model_dump(mode="json") for a in asks],
            "cards": cards,
        }
