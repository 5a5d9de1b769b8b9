"""Ranking mentors for an ask: pure rules, no I/O.

A mentor is a candidate when they share at least one skill with the ask, have free capacity this month,
are allowed by the ask's scope, and are not the mentee. Among candidates, the score weighs how much of the
ask they cover, how deep their matching skills go, and how much room they have left this month. Every
score comes with the reasons a person would give for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEIGHT_COVERAGE = 0.55
WEIGHT_LEVEL = 0.25
WEIGHT_CAPACITY = 0.20
AVAILABILITY_BONUS = 0.05


@dataclass(frozen=True)
class AskFacts:
    mentee_id: str
    mentee_org_id: str
    skills: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class Candidate:
    mentor_id: str
    org_id: str
    display_name: str
    skills: dict[str, int]
    capacity_per_month: int
    has_availability: bool = True
    languages: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9+#]+", text.lower()))


def skill_match(asked: str, offered: dict[str, int]) -> tuple[str, int] | None:
    """The mentor's skill that covers one asked skill (same words, or one's words within the other's)."""
    wanted = _words(asked)
    best: tuple[str, int] | None = None
    for name, level in offered.items():
        have = _words(name)
        if wanted and have and (wanted <= have or have <= wanted) and (best is None or level > best[1]):
            best = (name, level)
    return best


def in_scope(ask: AskFacts, candidate: Candidate) -> bool:
    """``org`` asks stay inside the mentee's org; ``consortium`` asks reach every member org."""
    return ask.scope == "consortium" or candidate.org_id == ask.mentee_org_id


def rank(ask: AskFacts, candidates: list[Candidate], scheduled_this_month: dict[str, int]) -> list[Ranked]:
    """Candidates who fit the ask, best first (ties broken by mentor id, so the order is stable)."""
    ranked = []
    for candidate in candidates:
        if candidate.mentor_id == ask.mentee_id or not in_scope(ask, candidate):
            continue
        free = candidate.capacity_per_month - scheduled_this_month.get(candidate.mentor_id, 0)
        if free <= 0:
            continue
        matches = {skill: m for skill in ask.skills if (m := skill_match(skill, candidate.skills))}
        if not matches:
            continue
        coverage = len(matches) / len(ask.skills)
        depth = sum(level for _, level in matches.values()) / (5 * len(matches))
        room = free / candidate.capacity_per_month
        score = WEIGHT_COVERAGE * coverage + WEIGHT_LEVEL * depth + WEIGHT_CAPACITY * room
        if candidate.has_availability:
            score += AVAILABILITY_BONUS
        ranked.append(Ranked(candidate, round(min(score, 1.0), 4), _reasons(ask, candidate, matches, free)))
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.mentor_id))


def _reasons(
    ask: AskFacts, candidate: Candidate, matches: dict[str, tuple[str, int]], free: int
) -> tuple[str, ...]:
    covered = ", ".join(f"{name} (level {level}/5)" for name, level in matches.values())
    reasons = [f"covers {len(matches)} of the {len(ask.skills)} skills asked for: {covered}"]
    reasons.append(f"has {free} of {candidate.capacity_per_month} sessions free this month")
    if candidate.has_availability:
        reasons.append("has shared regular availability")
    if candidate.org_id != ask.mentee_org_id:
        reasons.append("works at another member org")
    return tuple(reasons)
