"""``GET /v1/impact/participation``: participation by self-identified group, with small groups hidden.

Groups come only from the optional ``self_identified_groups`` of profiles whose owners consented; they are
never published and never shown to anyone. Each org's figures are computed from its own store (profiles
and participation counts of its own people), so only counts per group leave a tenant; the consortium's
figures add those counts up.

Small cells stay small (``k`` is ``MENTORNET_MIN_GROUP_SIZE``, default 5), in an org's figures and the
consortium's, even against an org admin who adds consenting test accounts to push a group over ``k``:

- a group is shown only when at least ``k`` of its people *took part* in the quarter (asked, or had a
  session as mentee or mentor) — accounts that merely exist, however many, never open a group;
- complementary cells are suppressed: when the people left outside the shown groups (``consenting_people``
  minus the shown groups' ``members``) would be fewer than ``k`` but not none, the smallest shown group is
  hidden too, and so on, so that no hidden group can be recovered by subtraction;
- ``consenting_people`` itself is shown only when it is at least ``k``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import col, select

from mentornet_common.auth import Principal, admin_scope
from mentornet_common.periods import quarter_of
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM
from profiles.models import GroupFigures, Participation, ParticipationOut, Profile


@dataclass
class Tally:
    members: Counter[str] = field(default_factory=Counter)
    participants: Counter[str] = field(default_factory=Counter)
    asks: Counter[str] = field(default_factory=Counter)
    as_mentee: Counter[str] = field(default_factory=Counter)
    as_mentor: Counter[str] = field(default_factory=Counter)
    consenting: int = 0

    def add(self, other: Tally) -> None:
        for name in ("members", "participants", "asks", "as_mentee", "as_mentor"):
            getattr(self, name).update(getattr(other, name))
        self.consenting += other.consenting


async def tally_of(runtime: Runtime, org_id: str, quarter: str) -> Tally:
    """Inside one tenant: counts per group, nothing about any one person leaves this function."""
    tally = Tally()
    async with runtime.stores.session(org_id) as db:
        people = (await db.exec(select(Profile).where(col(Profile.group_statistics_consent).is_(True)))).all()
        counts = {
            row.user_id: row
            for row in (await db.exec(select(Participation).where(Participation.quarter == quarter))).all()
        }
    for person in people:
        if not person.self_identified_groups:
            continue
        tally.consenting += 1
        took_part = counts.get(person.user_id)
        for group in {g.strip().lower() for g in person.self_identified_groups}:
            tally.members[group] += 1
            if took_part and (took_part.asks or took_part.sessions_as_mentee or took_part.sessions_as_mentor):
                tally.participants[group] += 1
                tally.asks[group] += took_part.asks
                tally.as_mentee[group] += took_part.sessions_as_mentee
                tally.as_mentor[group] += took_part.sessions_as_mentor
    return tally


def shown(scope: str, quarter: str, tally: Tally, k: int) -> ParticipationOut:
    """The figures that may be shown: groups with at least k participants, complementary cells hidden."""
    consenting = tally.consenting if tally.consenting >= k else 0
    visible = sorted(
        (
            group
            for group, members in tally.members.items()
            if members >= k and tally.participants[group] >= k
        ),
        key=lambda group: (tally.participants[group], tally.members[group], group),
    )
    # What is left once the shown groups are subtracted from the total must be none or at least k.
    while visible and 0 < consenting - sum(tally.members[group] for group in visible) < k:
        visible.pop(0)
    groups = [
        GroupFigures(
            group=group,
            members=tally.members[group],
            participants=tally.participants[group],
            participation_rate=round(tally.participants[group] / tally.members[group], 4),
            asks=tally.asks[group],
            sessions_as_mentee=tally.as_mentee[group],
            sessions_as_mentor=tally.as_mentor[group],
        )
        for group in sorted(visible)
    ]
    return ParticipationOut(
        scope=scope, quarter=quarter, min_group_size=k, consenting_people=consenting, groups=groups,
        groups_suppressed=len(tally.members) - len(groups),
    )  # fmt: skip


async def participation(runtime: Runtime, caller: Principal, quarter: str | None, k: int) -> ParticipationOut:
    chosen = quarter or quarter_of(datetime.now(UTC))
    own = admin_scope(caller)
    if own is not None:
        return shown(own, chosen, await tally_of(runtime, own, chosen), k)
    total = Tally()
    for org_id in await runtime.stores.tenants():
        if org_id != CONSORTIUM:
            total.add(await tally_of(runtime, org_id, chosen))
    return shown("consortium", chosen, total, k)
