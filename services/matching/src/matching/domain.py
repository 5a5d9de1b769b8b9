"""Ranking mentors for an ask: pure rules, no I/O.

Retrieval (``index.py``) has already found the mentors whose cards are semantically closest to the ask.
Here each of them is checked against the rules that exclude (themself, scope, a full month, no common
language, reverse mentoring they did not agree to, nothing in common with the ask) and then scored on
what makes a good match, each factor between 0 and 1 and weighted:

==============  ======  ===========================================================================
fit             0.50    how close the card is to the ask (meaning, not words; scored against the
                        closest card for this ask) and, a little, how many of the asked skills it covers
level           0.12    how deep the mentor's matching skills go (self-rated 1 to 5)
time            0.08    common free slots of the ask's length in the next 14 days, each side's
                        windows in their own time zone
room            0.08    share of this month's capacity still free
quality         0.12    mentees' ratings, averaged with a prior so a new mentor starts at "good"
language        0.10    a language both speak (unknown counts half)
==============  ======  ===========================================================================

minus a load-spreading penalty (up to 0.15) for a mentor who already holds open proposals or was
proposed in the last day, so the few best mentors are not worn out. Seniority never excludes anyone: a
junior may mentor a senior, and the reasons say so when it happens. Every score comes with the reasons a
person would give for it, in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from matching.availability import WORKING_HOURS, Interval, intervals, minus, overlap, slots
from mentornet_common.contracts import SENIORITY_ORDER
from mentornet_common.timezones import zone

WEIGHTS: dict[str, float] = {
    "fit": 0.50,
    "level": 0.12,
    "time": 0.08,
    "room": 0.08,
    "quality": 0.12,
    "language": 0.10,
}
MAX_LOAD_PENALTY = 0.15

# Cosine similarity (all-MiniLM-L6-v2) between an ask and a card: below FLOOR they share nothing worth a
# session unless a skill matches by name; at HIGH and above the fit is full. Calibrated on the labelled
# set (services/matching/eval): see docs/adr/0007-semantic-matching.md.
SIMILARITY_FLOOR = 0.25
SIMILARITY_HIGH = 0.45
# Within "fit": how much is the card's meaning, how much the share of asked skills it covers.
MEANING_SHARE = 0.9
# Two skill names this close (cosine) count as the same skill ("vendor negotiation" ~ "procurement").
SKILL_SIMILAR = 0.60

# Learned quality: the mean rating, shrunk towards PRIOR_RATING as if PRIOR_WEIGHT ratings had been given.
PRIOR_RATING = 4.0
PRIOR_WEIGHT = 3
SLOTS_FOR_FULL_TIME = 4

Windows = tuple[tuple[int, str, str], ...]
SkillSimilarity = Callable[[str, str], float]


@dataclass(frozen=True)
class AskFacts:
    mentee_id: str
    mentee_org_id: str
    skills: tuple[str, ...]
    scope: str
    duration_minutes: int = 30
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    availability: Windows = ()
    seniority: str | None = None


@dataclass(frozen=True)
class Candidate:
    mentor_id: str
    org_id: str
    display_name: str
    skills: dict[str, int]
    capacity_per_month: int
    similarity: float = 0.0
    headline: str = ""
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    availability: Windows = ()
    seniority: str | None = None
    open_to_reverse: bool = True


@dataclass(frozen=True)
class Load:
    """What the consortium knows about a mentor's recent demand and track record (ids and counts only)."""

    scheduled_this_month: int = 0
    open_proposals: int = 0
    last_proposed_at: datetime | None = None
    ratings: int = 0
    rating_sum: float = 0.0


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]
    factors: dict[str, float] = field(default_factory=dict)
    reverse_mentoring: bool = False


# words and skills --------------------------------------------------------------------------------------


def words(text: str) -> frozenset[str]:
    """The words a skill name is matched by (ASCII letters, digits, ``+`` and ``#``; lower case)."""
    return frozenset(re.findall(r"[a-z0-9+#]+", text.lower()))


def lexical_similarity(asked: str, offered: str) -> float:
    """1.0 when one skill name's words contain the other's ("negotiation" ⊂ "supplier negotiation")."""
    wanted, have = words(asked), words(offered)
    return 1.0 if wanted and have and (wanted <= have or have <= wanted) else 0.0


def skill_match(asked: str, offered: dict[str, int]) -> tuple[str, int] | None:
    """The mentor's skill that covers one asked skill by its words (the deepest, if several)."""
    best: tuple[str, int] | None = None
    for name, level in offered.items():
        if lexical_similarity(asked, name) and (best is None or level > best[1]):
            best = (name, level)
    return best


@dataclass(frozen=True)
class SkillCover:
    asked: str
    skill: str
    level: int
    same_words: bool


def covers(ask: AskFacts, candidate: Candidate, similar: SkillSimilarity) -> list[SkillCover]:
    """For each asked skill, the mentor's skill that covers it: same words first, then close meaning."""
    found = []
    for asked in ask.skills:
        by_words = skill_match(asked, candidate.skills)
        if by_words:
            found.append(SkillCover(asked, by_words[0], by_words[1], True))
            continue
        scored = [(similar(asked, name), level, name) for name, level in candidate.skills.items()]
        best = max(scored, default=None)
        if best is not None and best[0] >= SKILL_SIMILAR:
            found.append(SkillCover(asked, best[2], best[1], False))
    return found


# the rules ---------------------------------------------------------------------------------------------


def in_scope(ask: AskFacts, candidate: Candidate) -> bool:
    """``org`` asks stay inside the mentee's org; ``consortium`` asks reach every member org."""
    return ask.scope == "consortium" or candidate.org_id == ask.mentee_org_id


def seniority_gap(ask: AskFacts, candidate: Candidate) -> int | None:
    """Positive when the mentee is more senior than the mentor; None when either did not say."""
    if ask.seniority not in SENIORITY_ORDER or candidate.seniority not in SENIORITY_ORDER:
        return None
    return SENIORITY_ORDER.index(ask.seniority) - SENIORITY_ORDER.index(candidate.seniority)


def common_language(ask: AskFacts, candidate: Candidate) -> set[str] | None:
    """Languages both speak (by primary subtag: ``pt-BR`` speaks ``pt``); None when either did not say."""
    if not ask.languages or not candidate.languages:
        return None
    return {lang.split("-")[0] for lang in ask.languages} & {
        lang.split("-")[0] for lang in candidate.languages
    }


def quality(load: Load) -> tuple[float, float]:
    """(score 0 to 1, shrunk mean rating): the Bayesian average of the mentor's ratings."""
    mean = (PRIOR_RATING * PRIOR_WEIGHT + load.rating_sum) / (PRIOR_WEIGHT + load.ratings)
    return (mean - 1) / 4, mean


def load_penalty(load: Load, now: datetime) -> float:
    """Up to 0.10 for open proposals (two or more: the full 0.10), 0.05 more if proposed in the last day."""
    penalty = 0.10 * min(1.0, load.open_proposals / 2)
    if load.last_proposed_at is not None and now - load.last_proposed_at < timedelta(days=1):
        penalty += 0.05
    return min(penalty, MAX_LOAD_PENALTY)


@lru_cache(maxsize=4096)
def _free_time(windows: Windows, timezone: str | None, day: datetime) -> tuple[Interval, ...]:
    return tuple(intervals(windows or WORKING_HOURS, timezone, day))


def clear_caches() -> None:
    """Forget the cached free-time intervals (benchmarks measure the cold case)."""
    _free_time.cache_clear()


LEAD = timedelta(minutes=15)


def earliest_start(now: datetime) -> datetime:
    """The first moment an offer may propose: at least 15 minutes ahead, on a quarter hour. A slot that
    starts now would have passed by the time the mentor answers (sessions refuses a start in the past)."""
    ahead = now + LEAD
    floor = ahead.replace(minute=ahead.minute - ahead.minute % 15, second=0, microsecond=0)
    return floor if floor == ahead else floor + timedelta(minutes=15)


def free_time(
    ask: AskFacts, candidate: Candidate, busy: list[Interval], now: datetime
) -> tuple[list[Interval], list[datetime]]:
    """When both are free in the next 14 days minus the sessions either already has, and the slots of
    the ask's length in it (what an offer proposes to the mentor)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    common = overlap(
        _free_time(ask.availability, ask.timezone, hour),
        _free_time(candidate.availability, candidate.timezone, hour),
    )
    earliest = earliest_start(now)
    ahead = [Interval(max(i.start, earliest), i.end) for i in common if i.end > earliest]
    free = [i for i in minus(ahead, sorted(busy, key=lambda b: b.start)) if i.minutes >= ask.duration_minutes]
    return free, slots(free, ask.duration_minutes)


def common_slots(ask: AskFacts, candidate: Candidate, now: datetime) -> list[datetime]:
    """Slots of the ask's length both are free in the next 14 days (windows in their own zones).

    A side with no windows counts as free in weekday working hours; computed from the start of the
    current hour so that the per-person intervals can be cached.
    """
    hour = now.replace(minute=0, second=0, microsecond=0)
    mentee = _free_time(ask.availability, ask.timezone, hour)
    mentor = _free_time(candidate.availability, candidate.timezone, hour)
    earliest = earliest_start(now)
    return [s for s in slots(overlap(mentee, mentor), ask.duration_minutes) if s >= earliest]


def rank(
    ask: AskFacts,
    candidates: list[Candidate],
    loads: Mapping[str, Load],
    now: datetime,
    similar: SkillSimilarity = lexical_similarity,
) -> list[Ranked]:
    """Candidates who may be proposed, best first (ties broken by mentor id, so the order is stable)."""
    # Closeness is scored against the closest card of this ask (at least SIMILARITY_HIGH): how close
    # texts can get depends on how much the ask says, and the best available mentor should score full.
    ceiling = max([SIMILARITY_HIGH, *(c.similarity for c in candidates)])
    ranked = []
    for candidate in candidates:
        result = _score(ask, candidate, loads.get(candidate.mentor_id, Load()), now, similar, ceiling)
        if result is not None:
            ranked.append(result)
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.mentor_id))


def _score(
    ask: AskFacts, candidate: Candidate, load: Load, now: datetime, similar: SkillSimilarity, ceiling: float
) -> Ranked | None:
    if candidate.mentor_id == ask.mentee_id or not in_scope(ask, candidate):
        return None
    free = candidate.capacity_per_month - load.scheduled_this_month
    if free <= 0:
        return None
    languages = common_language(ask, candidate)
    if languages is not None and not languages:
        return None
    gap = seniority_gap(ask, candidate)
    reverse = gap is not None and gap > 0
    if reverse and not candidate.open_to_reverse:
        return None
    cover = covers(ask, candidate, similar)
    if candidate.similarity < SIMILARITY_FLOOR and not cover:
        return None

    meaning = min(1.0, max(0.0, (candidate.similarity - SIMILARITY_FLOOR) / (ceiling - SIMILARITY_FLOOR)))
    coverage = len(cover) / len(ask.skills) if ask.skills else 0.0
    found_slots = common_slots(ask, candidate, now)
    rated, mean = quality(load)
    factors = {
        "fit": MEANING_SHARE * meaning + (1 - MEANING_SHARE) * coverage,
        "level": sum(c.level for c in cover) / (5 * len(cover)) if cover else 0.3,
        "time": min(1.0, len(found_slots) / SLOTS_FOR_FULL_TIME),
        "room": free / candidate.capacity_per_month,
        "quality": rated,
        "language": 0.5 if languages is None else 1.0,
    }
    penalty = load_penalty(load, now)
    score = sum(WEIGHTS[name] * value for name, value in factors.items()) - penalty
    factors["load_penalty"] = penalty
    reasons = _reasons(ask, candidate, load, cover, found_slots, free, languages, gap, mean, penalty)
    return Ranked(candidate, round(max(score, 0.0), 4), reasons, factors, reverse)


# reasons, in words ---------------------------------------------------------------------------------------


def _reasons(
    ask: AskFacts,
    candidate: Candidate,
    load: Load,
    cover: list[SkillCover],
    found_slots: list[datetime],
    free: int,
    languages: set[str] | None,
    gap: int | None,
    mean: float,
    penalty: float,
) -> tuple[str, ...]:
    reasons = []
    same = [c for c in cover if c.same_words]
    close = [c for c in cover if not c.same_words]
    if same:
        listed = ", ".join(f"{c.skill} (level {c.level}/5)" for c in same)
        reasons.append(f"covers {len(same)} of the {len(ask.skills)} skills asked for: {listed}")
    if close:
        listed = "; ".join(f"your “{c.asked}” is close to their {c.skill} (level {c.level}/5)" for c in close)
        reasons.append(listed)
    if candidate.similarity >= SIMILARITY_FLOOR:
        what = f"“{candidate.headline}”" if candidate.headline else "their skills"
        strength = "very close" if candidate.similarity >= SIMILARITY_HIGH else "close"
        reasons.append(f"what they describe — {what} — is {strength} to what your question is about")
    if found_slots:
        first = found_slots[0]
        mine = first.astimezone(zone(ask.timezone))
        theirs = first.astimezone(zone(candidate.timezone))
        reasons.append(
            f"you are both free for {ask.duration_minutes} minutes {len(found_slots)} times in the next "
            f"14 days (first: {mine:%a %d %b %H:%M} your time, {theirs:%H:%M} theirs)"
        )
    else:
        reasons.append("no common free time in the next 14 days yet: you may need to agree a time")
    reasons.append(f"has {free} of {candidate.capacity_per_month} sessions free this month")
    if load.ratings:
        reasons.append(
            f"rated {load.rating_sum / load.ratings:.1f}/5 by mentees over {load.ratings} session(s)"
        )
    else:
        reasons.append(f"new to mentoring here: no ratings yet, so starts at a fair {mean:.1f}/5")
    if languages:
        reasons.append(f"speaks {', '.join(sorted(languages))} like you")
    if gap is not None and gap > 0:
        reasons.append(
            f"reverse mentoring: they describe themself as {candidate.seniority} and you as {ask.seniority} "
            "— chosen for what they know, not their title"
        )
    if penalty > 0:
        reasons.append("was proposed to others recently, so ranked a little lower to share the load")
    if candidate.org_id != ask.mentee_org_id:
        reasons.append("works at another member org")
    return tuple(reasons)


# proactive suggestions ----------------------------------------------------------------------------------

# How much a past ask says about what the member still wants to learn, by how it ended.
OUTCOME_WEIGHT = {
    "no": 1.2,  # a session that did not resolve it
    "expired": 1.2,  # nobody was found, or nobody accepted
    "cancelled": 1.0,
    "partly": 1.0,
    "completed": 0.7,  # a session, no feedback yet
    "open": 0.8,
    "proposed": 0.8,
    "scheduled": 0.6,
    "yes": 0.4,  # resolved: related mentors are still worth knowing, but less urgently
}
INTEREST_HALF_LIFE_DAYS = 90


@dataclass(frozen=True)
class PastAsk:
    ask_id: str
    question: str
    skills: tuple[str, ...]
    status: str
    resolution: str | None
    created_at: datetime

    @property
    def outcome(self) -> str:
        return self.resolution if self.status == "completed" and self.resolution else self.status


def interest_weight(ask: PastAsk, now: datetime) -> float:
    """A past ask's weight in the member's interests: by how it ended, halved every 90 days."""
    age_days = max(0.0, (now - ask.created_at).total_seconds() / 86400)
    return float(OUTCOME_WEIGHT.get(ask.outcome, 0.8) * 0.5 ** (age_days / INTEREST_HALF_LIFE_DAYS))


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]


_OUTCOME_WORDS = {
    "no": "your session did not resolve it",
    "partly": "your session only partly resolved it",
    "yes": "resolved, and they know the ground around it",
    "expired": "it found no mentor then",
    "cancelled": "that session was cancelled",
    "completed": "you had a session on it",
    "open": "it is still open",
    "proposed": "it is still waiting for a mentor's answer",
    "scheduled": "a session is booked",
}


def suggest(
    member_id: str,
    member_org_id: str,
    closest: list[tuple[Candidate, PastAsk, float]],
    loads: Mapping[str, Load],
    limit: int,
) -> list[Suggestion]:
    """Mentors worth meeting before the member asks again: close to what they asked before (each
    candidate with the past ask it is closest to), with room this month, learned quality counting."""
    found = []
    for candidate, past, similarity in closest:
        load = loads.get(candidate.mentor_id, Load())
        free = candidate.capacity_per_month - load.scheduled_this_month
        if candidate.mentor_id == member_id or free <= 0 or similarity < SIMILARITY_FLOOR:
            continue
        meaning = min(1.0, (similarity - SIMILARITY_FLOOR) / (SIMILARITY_HIGH - SIMILARITY_FLOOR))
        rated, _ = quality(load)
        score = 0.6 * meaning + 0.2 * (free / candidate.capacity_per_month) + 0.2 * rated
        question = past.question if len(past.question) <= 80 else past.question[:77].rstrip() + "…"
        reasons = [
            f"close to what you asked on {past.created_at:%d %b %Y}: “{question}” — "
            f"{_OUTCOME_WORDS.get(past.outcome, past.outcome)}"
        ]
        if candidate.headline:
            reasons.append(f"describes themself as “{candidate.headline}”")
        reasons.append(f"has {free} of {candidate.capacity_per_month} sessions free this month")
        if load.ratings:
            reasons.append(
                f"rated {load.rating_sum / load.ratings:.1f}/5 by mentees over {load.ratings} session(s)"
            )
        if candidate.org_id != member_org_id:
            reasons.append("works at another member org")
        found.append(Suggestion(candidate, round(score, 4), tuple(reasons)))
    return sorted(found, key=lambda s: (-s.score, s.candidate.mentor_id))[:limit]
