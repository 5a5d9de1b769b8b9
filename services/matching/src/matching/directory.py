"""The mentor directory as a member sees it: their org's own entries and the consortium's, in name order.

A page costs what comes before it, never the whole directory (ADR 0019): each store is read through its
(display name, mentor id) index a chunk at a time, each chunk starting after the last one's final entry and
read in a short session of its own (a page never holds two of the pool's connections, nor one while it
waits for the other store), and the two stores' entries are merged into one order until the page and one
more entry are found.

The order is by display name, then mentor id, each by code point, as on SQLite. On PostgreSQL the name
column sorts by code point too (collation "C"); the id sorts by the database's collation, so a run of entries
with the same name is put in order here.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from sqlalchemy import String, bindparam, cast, literal, or_, tuple_
from sqlalchemy.orm import defer
from sqlmodel import col, select

from matching import domain
from matching.models import DirectoryEntry, MentorOut
from matching.retrieval import card_candidate
from mentornet_common.auth import Principal, org_of
from mentornet_common.pagination import page
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM

CHUNK = 100  # entries read from a store at a time

_LISTED = (
    select(DirectoryEntry)
    .options(defer(DirectoryEntry.vector))  # type: ignore[arg-type]  # the embedding is not listed
    .order_by(col(DirectoryEntry.display_name), col(DirectoryEntry.mentor_id))
)
_NAME_KEY = tuple_(col(DirectoryEntry.display_name), col(DirectoryEntry.mentor_id))
# Which of a chunk of consortium entries the org's own store holds too (a card moving between the two).
_OWN_COPIES = select(DirectoryEntry.mentor_id).where(
    col(DirectoryEntry.org_id) == bindparam("org_id"),
    col(DirectoryEntry.mentor_id).in_(bindparam("ids", expanding=True)),
)

Chunks = AsyncGenerator[list[DirectoryEntry]]


async def list_mentors(
    runtime: Runtime, caller: Principal, skill: str | None, limit: int, offset: int
) -> tuple[list[MentorOut], int | None]:
    """A page of the mentors the caller's org can be matched with: its own org-only mentors and every
    consortium mentor (the org's own entry when both stores hold one), those who know ``skill`` if given."""
    org_id = org_of(caller)
    where: list[Any] = []
    if skill:
        if not (asked := domain.words(skill)):
            return [], None  # no word to match a skill by: nobody matches
        # A card can match only if its skills' text holds one of the asked words (skill_match: the words of
        # one name contain the other's): the store skips the others, and Python judges the rest. The words
        # are ASCII letters, digits, + and #: none is a pattern character.
        skills = cast(col(DirectoryEntry.card)["skills"], String)
        where.append(or_(*(skills.ilike(f"%{word}%") for word in sorted(asked))))
    own = _chunks(runtime, org_id, [*where, col(DirectoryEntry.org_id) == org_id])
    consortium = _without_own_copies(runtime, org_id, _chunks(runtime, CONSORTIUM, where))
    seen, wanted, found = 0, offset + limit + 1, []
    async with aclosing(_in_name_order(own, consortium)) as entries:
        async for entry in entries:
            if skill and not domain.skill_match(
                skill, card_candidate(entry.mentor_id, entry.org_id, entry.card, 0).skills
            ):
                continue
            seen += 1
            if seen > offset:
                found.append(MentorOut.of(entry))
            if seen == wanted:
                break
    return page(found, limit, offset)


async def _chunks(runtime: Runtime, tenant_id: str, where: list[Any]) -> Chunks:
    """A store's entries meeting ``where``, in its index's order, ``CHUNK`` at a time, each read in a
    session of its own, after the last one's final (name, id): no ``OFFSET`` to walk past."""
    query = _LISTED.where(*where)
    after: tuple[str, str] | None = None
    while True:
        chunk = (
            query if after is None else query.where(tuple_(literal(after[0]), literal(after[1])) < _NAME_KEY)
        )
        async with runtime.stores.session(tenant_id) as session:
            rows = list((await session.exec(chunk.limit(CHUNK))).all())
        if rows:
            yield rows
        if len(rows) < CHUNK:
            return
        after = (rows[-1].display_name, rows[-1].mentor_id)


async def _without_own_copies(runtime: Runtime, org_id: str, consortium: Chunks) -> Chunks:
    """The consortium's chunks without the mentors the org's own store holds too: its entry is the one
    listed. One look in the org's store per chunk."""
    async with aclosing(consortium):
        async for chunk in consortium:
            ids = [entry.mentor_id for entry in chunk]
            async with runtime.stores.session(org_id) as own:
                kept = set((await own.exec(_OWN_COPIES, params={"org_id": org_id, "ids": ids})).all())
            if rest := [entry for entry in chunk if entry.mentor_id not in kept]:
                yield rest


async def _entries(chunks: Chunks) -> AsyncGenerator[DirectoryEntry]:
    async with aclosing(chunks):
        async for chunk in chunks:
            for entry in chunk:
                yield entry


async def _in_name_order(own: Chunks, consortium: Chunks) -> AsyncGenerator[DirectoryEntry]:
    """Both stores' entries by name, then mentor id, each by code point. The stores give their entries
    in name order; a run of one name is put in id order here."""
    async with aclosing(_entries(own)) as mine, aclosing(_entries(consortium)) as theirs:
        a, b = await anext(mine, None), await anext(theirs, None)
        run: list[DirectoryEntry] = []
        while a is not None or b is not None:
            if b is None or (a is not None and a.display_name <= b.display_name):
                entry, a = a, await anext(mine, None)
            else:
                entry, b = b, await anext(theirs, None)
            assert entry is not None
            if run and run[0].display_name != entry.display_name:
                for ordered in _by_id(run):
                    yield ordered
                run = []
            run.append(entry)
        for ordered in _by_id(run):
            yield ordered


def _by_id(run: list[DirectoryEntry]) -> list[DirectoryEntry]:
    return sorted(run, key=lambda entry: entry.mentor_id)
